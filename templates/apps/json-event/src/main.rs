//! The native binary (local, AWS Lambda, OpenWhisk): runs the app in src/lib.rs.

faasade::run!({{crate_name}});
