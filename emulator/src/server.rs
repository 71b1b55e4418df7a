//! The accept loop: plain TCP or TLS, one hyper connection per socket, and a wrapper around the
//! router that applies fault rules, stamps request ids and counts requests.

use crate::reply::{error_response, vcd_error, RequestId};
use crate::{faults, Shared, StartError};
use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio_rustls::rustls;
use tower::ServiceExt;

/// Returned by the service to make hyper close the connection without an answer.
#[derive(Debug)]
struct DroppedByFault;

impl std::fmt::Display for DroppedByFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by a fault rule")
    }
}
impl std::error::Error for DroppedByFault {}

pub fn tls_acceptor(names: &[String]) -> Result<(tokio_rustls::TlsAcceptor, String), StartError> {
    let err = |e: rcgen::Error| StartError(format!("--tls: {e}"));
    let ca_key = rcgen::KeyPair::generate().map_err(err)?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "vcs-emulator local CA");
    ca_params.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(err)?;
    let leaf_key = rcgen::KeyPair::generate().map_err(err)?;
    let mut leaf_params = rcgen::CertificateParams::new(names.to_vec()).map_err(err)?;
    leaf_params.distinguished_name.push(rcgen::DnType::CommonName, names.first().cloned().unwrap_or_default());
    let leaf = leaf_params.signed_by(&leaf_key, &ca_cert, &ca_key).map_err(err)?;
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StartError(format!("--tls: {e}")))?
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)
        .map_err(|e| StartError(format!("--tls: {e}")))?;
    Ok((tokio_rustls::TlsAcceptor::from(Arc::new(config)), ca_cert.pem()))
}

pub async fn serve(
    listener: tokio::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    let router = crate::csp::router()
        .merge(crate::csp_roles::router())
        .merge(crate::vcd::router())
        .merge(crate::control::router())
        .layer(axum::middleware::from_fn(crate::query::refuse_unknown_parameters))
        .with_state(shared.clone());
    let rate_limit = Arc::new(crate::rate_limit::RateLimiter::new(shared.config.rate_limit));
    // Stopping closes open keep-alive connections too, so no request reaches a stopped emulator.
    let (close_tx, close_rx) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let (stream, _) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("vcs-emulator: accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let shared = shared.clone();
        let rate_limit = rate_limit.clone();
        let tls = tls.clone();
        let mut close = close_rx.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                handle(shared.clone(), router.clone(), rate_limit.clone(), req)
            });
            let builder = hyper::server::conn::http1::Builder::new();
            let serve_connection = async {
                match tls {
                    Some(acceptor) => {
                        if let Ok(tls_stream) = acceptor.accept(stream).await {
                            let _ = builder.serve_connection(TokioIo::new(tls_stream), service).await;
                        }
                    }
                    None => {
                        let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                    }
                }
            };
            tokio::select! {
                _ = serve_connection => {}
                _ = close.changed() => {}
            }
        });
    }
    drop(listener);
    let _ = close_tx.send(true);
    while connections.join_next().await.is_some() {}
}

async fn handle(
    shared: Arc<Shared>,
    router: axum::Router,
    rate_limit: Arc<crate::rate_limit::RateLimiter>,
    mut req: Request<Incoming>,
) -> Result<Response<Body>, DroppedByFault> {
    let n = shared.request_counter.fetch_add(1, Ordering::Relaxed) + 1;
    let request_id = format!("emu-{:08x}-{n:06}", shared.config.seed as u32);
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let is_control = path.starts_with("/_emulator");
    req.extensions_mut().insert(RequestId(request_id.clone()));
    if let Some(refused) = (!is_control).then(|| rate_limit.check(&path, &request_id)).flatten() {
        count(&shared, is_control, &method, &path, 429);
        return Ok(refused);
    }

    let action = if is_control {
        None
    } else {
        let mut rules = shared.faults.lock().expect("faults lock");
        let mut rng = shared.fault_rng.lock().expect("rng lock");
        faults::decide(&mut rules, &mut *rng, &method, &path)
    };
    let action = action.unwrap_or_default();
    if action.latency_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(action.latency_ms)).await;
    }
    let mut response = if action.drop {
        count(&shared, is_control, &method, &path, 0);
        return Err(DroppedByFault);
    } else if let Some(location) = &action.redirect_to {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::FOUND;
        if let Ok(v) = HeaderValue::from_str(location) {
            r.headers_mut().insert("location", v);
        }
        r
    } else if action.body.is_some() || action.body_bytes.is_some() {
        let code = action.status.map(|(s, _)| s).unwrap_or(200);
        let body = match (&action.body, action.body_bytes) {
            (Some(b), _) => Body::from(b.clone()),
            (None, Some(n)) => {
                // `{"results":[` then padding: valid-looking JSON that never ends in time.
                let mut v = Vec::with_capacity(n);
                v.extend_from_slice(b"{\"results\":[");
                v.resize(n, b' ');
                Body::from(v)
            }
            (None, None) => Body::empty(),
        };
        let mut r = Response::new(body);
        *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::OK);
        let ct = action.content_type.clone().unwrap_or_else(|| "application/json".into());
        if let Ok(v) = HeaderValue::from_str(&ct) {
            r.headers_mut().insert("content-type", v);
        }
        r
    } else if let Some((status, retry_after)) = action.status {
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut r = if path.starts_with("/cloudapi") || path.starts_with("/oauth") {
            vcd_error(code, "EMULATOR_FAULT", "Injected by an emulator fault rule.")
        } else {
            error_response(&request_id, code, "emulator.fault", "Injected by an emulator fault rule.")
        };
        if let Some(secs) = retry_after {
            r.headers_mut().insert("retry-after", HeaderValue::from(secs));
        }
        r
    } else {
        let req = req.map(Body::new);
        match router.oneshot(req).await {
            Ok(r) => r,
            Err(never) => match never {},
        }
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", v);
    }
    count(&shared, is_control, &method, &path, response.status().as_u16());
    if action.truncate_body {
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
        let half = bytes.slice(..bytes.len() / 2);
        let chunks: Vec<Result<bytes::Bytes, DroppedByFault>> = vec![Ok(half), Err(DroppedByFault)];
        let mut r = Response::from_parts(parts, Body::from_stream(futures_util::stream::iter(chunks)));
        r.headers_mut().insert("content-length", HeaderValue::from(bytes.len()));
        return Ok(r);
    }
    Ok(response)
}

fn count(shared: &Shared, is_control: bool, method: &str, path: &str, status: u16) {
    if is_control {
        return;
    }
    let mut s = shared.stats.lock().expect("stats lock");
    s.total += 1;
    *s.by_route.entry(format!("{method} {path}")).or_default() += 1;
    *s.by_status.entry(status).or_default() += 1;
}
