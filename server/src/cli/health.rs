//! `circulate health`: asks a running server's grpc.health.v1 service whether it is serving,
//! for container health checks where no gRPC probe tool is installed. Exit 0 when serving.

use std::process::ExitCode;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

#[derive(Debug, clap::Args)]
pub struct HealthArgs {
    /// The server's address.
    #[arg(long, default_value = "127.0.0.1:50051")]
    pub addr: String,
    /// The service to ask about (empty: the server as a whole).
    #[arg(long, default_value = "")]
    pub service: String,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 3)]
    pub timeout_s: u64,
}

pub fn run(args: &HealthArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let status = runtime.block_on(async {
        let endpoint = tonic::transport::Endpoint::from_shared(format!("http://{}", args.addr))?
            .timeout(std::time::Duration::from_secs(args.timeout_s))
            .connect_timeout(std::time::Duration::from_secs(args.timeout_s));
        let mut client = HealthClient::new(endpoint.connect().await?);
        let response = client
            .check(HealthCheckRequest {
                service: args.service.clone(),
            })
            .await?;
        anyhow::Ok(response.into_inner().status)
    })?;
    let serving = status == ServingStatus::Serving as i32;
    println!("{}", if serving { "serving" } else { "not serving" });
    Ok(if serving {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
