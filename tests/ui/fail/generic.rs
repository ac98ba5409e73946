use faasade::{Context, Result};

#[faasade::main]
async fn handle<T: serde::de::DeserializeOwned>(_event: T, _cx: Context) -> Result<()> {
    Ok(())
}
