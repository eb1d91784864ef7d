//! TLS, bearer tokens (health stays open) and the metrics endpoint counting requests by method
//! and code.
#![allow(clippy::unwrap_used)]

mod grpc_support;

use circulate::grpc::pb;
use circulate::grpc::pb::circulate_client::CirculateClient;
use circulate::grpc::server::ServeConfig;
use grpc_support::*;
use std::time::Duration;
use tonic::transport::Channel;

#[tokio::test]
async fn tls_and_bearer_tokens_guard_the_service_but_not_health() {
    use tonic::transport::{Certificate, ClientTlsConfig};
    let generated = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let token = "platform-a-0123456789abcdef";
    let server = start_with(ServeConfig {
        tls: Some(circulate::grpc::server::TlsFiles {
            cert_pem: generated.cert.pem().into_bytes(),
            key_pem: generated.signing_key.serialize_pem().into_bytes(),
        }),
        tokens: circulate::grpc::auth::Tokens::parse(token).unwrap(),
        ..ServeConfig::default()
    })
    .await;
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(generated.cert.pem()))
        .domain_name("localhost");
    let channel = Channel::from_shared(server.addr.replace("http://", "https://"))
        .unwrap()
        .tls_config(tls)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let request = || tonic::Request::new(optimize_request(&example()));
    let mut circulate = CirculateClient::new(channel.clone());
    let status = circulate.optimize(request()).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    let mut wrong = request();
    wrong.metadata_mut().insert(
        "authorization",
        "Bearer platform-b-0123456789abcdef".parse().unwrap(),
    );
    let status = circulate.optimize(wrong).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    let mut right = request();
    right
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let response = circulate.optimize(right).await.unwrap().into_inner();
    assert_eq!(response.status, pb::SolveStatus::Optimal as i32);

    use tonic_health::pb::health_client::HealthClient;
    let health = HealthClient::new(channel)
        .check(tonic_health::pb::HealthCheckRequest {
            service: String::new(),
        })
        .await;
    assert!(health.is_ok(), "health needs no token: {health:?}");
    // Plaintext to a TLS port fails.
    let plain = CirculateClient::connect(server.addr.clone()).await;
    if let Ok(mut plain) = plain {
        assert!(plain.optimize(request()).await.is_err());
    }
}

#[tokio::test]
async fn metrics_count_requests_by_method_and_code() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let metrics_addr = free.local_addr().unwrap();
    drop(free);
    circulate::grpc::metrics::serve_metrics(metrics_addr).unwrap();
    let server = start(1).await;
    let mut c = client(&server).await;
    c.optimize(optimize_request(&example())).await.unwrap();
    let bad = c
        .optimize(pb::OptimizeRequest::default())
        .await
        .unwrap_err();
    assert_eq!(bad.code(), tonic::Code::InvalidArgument);
    let expected = [
        r#"circulate_requests_total{protocol="grpc",method="Optimize",code="Ok"}"#,
        r#"circulate_requests_total{protocol="grpc",method="Optimize",code="InvalidArgument"}"#,
        r#"circulate_request_seconds_bucket{protocol="grpc",method="Optimize",le="0.25"}"#,
        r#"circulate_solve_seconds_count{method="Optimize",outcome="ok"}"#,
        "circulate_solves_in_flight 0",
    ];
    // The blocking task records its end after the answer is sent: on a busy machine the
    // gauge and the solve histogram can trail the response by a moment.
    let mut text = String::new();
    for _ in 0..100 {
        text = scrape(metrics_addr).await;
        if expected.iter().all(|e| text.contains(e)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for expected in expected {
        assert!(text.contains(expected), "no {expected} in\n{text}");
    }
}
