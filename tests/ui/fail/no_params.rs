#[faasade::main]
async fn handle() -> faasade::Result<&'static str> {
    Ok("hi")
}
