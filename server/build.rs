//! Generates the gRPC code from proto/ with the pure-Rust protox compiler (no protoc on any
//! machine), keeps the encoded descriptor set for server reflection and the JSON mapping,
//! and turns the RPCs' `google.api.http` options into the HTTP route table and the OpenAPI
//! document ([`openapi`]), so neither is ever written by hand.

#[path = "build/openapi.rs"]
mod openapi;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto = "../proto/circulate/v1/circulate.proto";
    println!("cargo:rerun-if-changed={proto}");
    println!("cargo:rerun-if-changed=../proto/google");
    println!("cargo:rerun-if-changed=build/openapi.rs");
    let mut compiler = protox::Compiler::new(["../proto"])?;
    compiler
        .include_source_info(true)
        .include_imports(true)
        .open_files([proto])?;
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    // Encoded by protox itself: prost_types drops options it has no field for, and the HTTP
    // options are extensions.
    std::fs::write(
        out.join("circulate_descriptor.bin"),
        compiler.encode_file_descriptor_set(),
    )?;
    let pool = compiler.descriptor_pool();
    let fds = compiler.file_descriptor_set();
    let version = std::env::var("CARGO_PKG_VERSION")?;
    let api = openapi::Api::read(&pool, "circulate.v1.Circulate")?
        .with(&pool, "google.longrunning.Operations")?;
    std::fs::write(out.join("http_rules.rs"), api.route_table())?;
    std::fs::write(out.join("openapi.json"), api.document(&pool, &version))?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}
