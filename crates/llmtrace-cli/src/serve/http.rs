//! The OTLP/HTTP receiver: `POST /v1/traces` with a protobuf or JSON body, plain or gzip;
//! `/v1/logs` and `/v1/metrics` are accepted and dropped.

use std::io::Read;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;
use tokio::net::TcpListener;

use super::sink::Sink;

/// The largest body accepted.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Serves OTLP/HTTP on `listener` until the process ends.
pub(super) async fn serve(listener: TcpListener, sink: Arc<Sink>) -> Result<(), String> {
    let app = Router::new()
        .route("/v1/traces", post(traces))
        .route("/v1/logs", post(other_signal))
        .route("/v1/metrics", post(other_signal))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(sink);
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// An OTLP/HTTP success answer in the request's encoding.
fn success(json: bool) -> Response {
    if json {
        ([(header::CONTENT_TYPE, "application/json")], "{}").into_response()
    } else {
        let body = ExportTraceServiceResponse::default().encode_to_vec();
        ([(header::CONTENT_TYPE, "application/x-protobuf")], body).into_response()
    }
}

/// The body, gunzipped when it says so; the error answer for other encodings or bad gzip.
fn decoded(headers: &HeaderMap, body: Bytes) -> Result<Bytes, (StatusCode, String)> {
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity");
    if encoding.eq_ignore_ascii_case("identity") {
        return Ok(body);
    }
    if !encoding.eq_ignore_ascii_case("gzip") {
        let message = format!("content encoding {encoding} is not supported; use gzip or none");
        return Err((StatusCode::UNSUPPORTED_MEDIA_TYPE, message));
    }
    let mut out = Vec::new();
    let limit = MAX_BODY_BYTES as u64 + 1;
    match flate2::read::GzDecoder::new(body.as_ref())
        .take(limit)
        .read_to_end(&mut out)
    {
        Ok(n) if n as u64 >= limit => Err((
            StatusCode::PAYLOAD_TOO_LARGE,
            "body too large once unzipped".to_owned(),
        )),
        Ok(_) => Ok(Bytes::from(out)),
        Err(e) => Err((StatusCode::BAD_REQUEST, format!("malformed gzip body: {e}"))),
    }
}

async fn traces(State(sink): State<Arc<Sink>>, headers: HeaderMap, body: Bytes) -> Response {
    let body = match decoded(&headers, body) {
        Ok(body) => body,
        Err(answer) => return answer.into_response(),
    };
    let json = is_json(&headers);
    let request = if json {
        serde_json::from_slice::<ExportTraceServiceRequest>(&body).map_err(|e| e.to_string())
    } else {
        ExportTraceServiceRequest::decode(body).map_err(|e| e.to_string())
    };
    match request {
        Ok(request) => {
            sink.receive(request);
            success(json)
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            format!("malformed OTLP request: {e}"),
        )
            .into_response(),
    }
}

async fn other_signal(headers: HeaderMap) -> Response {
    success(is_json(&headers))
}
