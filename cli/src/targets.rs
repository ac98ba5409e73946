//! Every target's tooling, one [`Tooling`] per target of the registry
//! (`faasade_targets::TARGETS`), in its order. The commands loop over [`ALL`] and hold no
//! per-target `match`: a new target is a crate in `adapters/<target>/tooling` and a line here.

use anyhow::{Result, bail};

pub use faasade_aws_tooling as aws;
pub use faasade_cloudflare_tooling as cloudflare;
pub use faasade_fastly_tooling as fastly;
pub use faasade_local_tooling as local;
pub use faasade_openwhisk_tooling as openwhisk;
pub use faasade_spin_tooling as spin;
pub use faasade_tooling::{Need, Tooling};
pub use faasade_wasi_tooling as wasi;

/// Every target's tooling, in the registry's order.
pub static ALL: &[&dyn Tooling] = &[
    &local::Local,
    &aws::Aws,
    &cloudflare::Cloudflare,
    &fastly::Fastly,
    &spin::Spin,
    &openwhisk::OpenWhisk,
    &wasi::Wasi,
];

/// The tooling of the target named `name`, or an error listing the targets.
pub fn get(name: &str) -> Result<&'static dyn Tooling> {
    if let Some(tooling) = ALL.iter().find(|t| t.name() == name) {
        return Ok(*tooling);
    }
    let names: Vec<&str> = ALL.iter().map(|t| t.name()).collect();
    bail!("no target `{name}`: pick one of {}", names.join(", "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_target_in_the_registry_has_its_tooling_in_order() {
        let tooled: Vec<&str> = super::ALL.iter().map(|t| t.name()).collect();
        let registered: Vec<&str> = faasade_targets::TARGETS.iter().map(|t| t.name).collect();
        assert_eq!(tooled, registered);
        for t in super::ALL {
            assert_eq!(t.target().name, t.name());
        }
    }

    #[test]
    fn an_unknown_target_is_refused_with_the_list() {
        let e = super::get("azure").err().unwrap().to_string();
        assert!(e.contains("no target `azure`"), "{e}");
        assert!(e.contains("local, aws, cloudflare"), "{e}");
    }
}
