//! The streamed MatchBatch: the same answer as the unary call, in chunks.
#![allow(clippy::unwrap_used)]

mod grpc_support;

use circulate::grpc::pb;
use grpc_support::*;

#[tokio::test]
async fn streamed_and_unary_match_batch_agree() {
    let mut batch = synthetic_batch(400, 5);
    batch.options = Some(pb::MatchOptions {
        chunk_size: 17,
        ..Default::default()
    });
    let server = start(2).await;
    let unary = client(&server)
        .await
        .match_batch(batch.clone())
        .await
        .unwrap()
        .into_inner();
    let mut stream = client(&server)
        .await
        .match_batch_stream(batch)
        .await
        .unwrap()
        .into_inner();
    let (mut summary, mut matches, mut chunks) = (None::<pb::MatchSummary>, Vec::new(), 0);
    while let Some(chunk) = stream.message().await.unwrap() {
        chunks += 1;
        if chunk.summary.is_some() {
            assert!(summary.is_none(), "summary only on the first chunk");
            summary = chunk.summary;
        }
        assert!(chunk.matches.len() <= 17);
        matches.extend(chunk.matches);
    }
    assert!(unary.matches.len() > 17 && chunks > 1);
    // Timings differ between two solves; everything else must not.
    assert_eq!(
        summary_stats_arcs(&summary),
        summary_stats_arcs(&unary.summary)
    );
    let strip = |s: Option<pb::MatchSummary>| s.map(|s| pb::MatchSummary { stats: None, ..s });
    assert_eq!(strip(summary), strip(unary.summary));
    assert_eq!(matches, unary.matches);
}
