//! A neutral response as a `wasi:http` 0.3 one: status, every header value (each `Set-Cookie`
//! kept apart), the body as bytes, streamed to the host once the response is handed over.

use faasade_core::Response;
use spin_sdk::wasip3::http_compat::http_into_wasi_response;

use crate::{ErrorCode, WasiResponse};

pub(crate) fn to_wasi(res: Response) -> Result<WasiResponse, ErrorCode> {
    http_into_wasi_response(res)
}
