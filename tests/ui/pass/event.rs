use faasade::{Context, Result};

#[derive(serde::Deserialize)]
struct Job {
    id: u64,
}

#[faasade::main]
async fn handle(job: Job, cx: Context) -> Result<serde_json::Value> {
    Ok(serde_json::json!({ "id": job.id, "on": cx.target() }))
}
