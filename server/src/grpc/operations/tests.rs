//! The store's bounds, ownership, cancellation and paging.

use super::*;

fn limits(max_operations: usize, max_bytes: u64) -> OperationLimits {
    OperationLimits {
        max_operations,
        max_bytes,
        ttl: Duration::from_secs(60),
    }
}

fn submit(ops: &Operations, owner: &[u8], bytes: u64) -> Result<Handle, Status> {
    ops.submit(
        Some(owner.to_vec()),
        "Test",
        "",
        1,
        bytes,
        CancelToken::new(),
    )
    .map(|(h, _)| h)
}

#[test]
fn finished_operations_make_room_and_running_ones_are_never_dropped() {
    let l = limits(2, 1000);
    let ops = Operations::new(l);
    let a = submit(&ops, b"t", 10).expect("room");
    let b = submit(&ops, b"t", 10).expect("room");
    let e = submit(&ops, b"t", 10).expect_err("two running fill it");
    assert_eq!(e.code(), tonic::Code::ResourceExhausted);
    assert!(e.message().contains("--max-operations"), "{}", e.message());
    a.finish(
        Ok(pack("x", &pb::BatchResponse::default())),
        Some(1.0),
        false,
    );
    let c = submit(&ops, b"t", 10).expect("the finished one made room");
    assert!(
        ops.get(a.name(), Some(b"t")).is_err(),
        "the oldest finished went"
    );
    assert!(ops.get(b.name(), Some(b"t")).is_ok());
    assert!(ops.get(c.name(), Some(b"t")).is_ok());
    let e = submit(&ops, b"t", 0).expect_err("full again");
    assert_eq!(e.code(), tonic::Code::ResourceExhausted);
    let big = limits(10, 100);
    let ops = Operations::new(big);
    let _ = submit(&ops, b"t", 60).expect("room");
    let e = submit(&ops, b"t", 60).expect_err("bytes");
    assert!(
        e.message().contains("--max-operation-mb"),
        "{}",
        e.message()
    );
}

#[test]
fn another_token_sees_nothing_and_a_lost_name_says_so() {
    let ops = Operations::new(limits(4, 1000));
    let a = submit(&ops, b"alice", 1).expect("room");
    let e = ops.get(a.name(), Some(b"bob")).expect_err("not bob's");
    assert_eq!(e.code(), tonic::Code::NotFound);
    assert!(e.message().contains("never submitted"), "{}", e.message());
    assert_eq!(
        ops.list(Some(b"bob"), "", 0, "")
            .expect("lists")
            .operations
            .len(),
        0
    );
    let restarted = Operations::new(limits(4, 1000));
    let e = restarted.get(a.name(), Some(b"alice")).expect_err("lost");
    assert!(e.message().contains("restarted"), "{}", e.message());
}

#[test]
fn cancel_marks_the_token_and_a_cancelled_end_is_cancelled() {
    let l = limits(4, 1000);
    let ops = Operations::new(l);
    let cancel = CancelToken::new();
    let (h, first) = ops
        .submit(None, "Test", "r1", 1, 1, cancel.clone())
        .expect("room");
    assert!(!first.done);
    ops.cancel(h.name(), None).expect("ours");
    assert!(cancel.is_cancelled());
    h.finish(Ok(pack("x", &pb::BatchResponse::default())), None, true);
    let op = ops.get(h.name(), None).expect("kept");
    assert!(op.done);
    match op.result {
        Some(lro::operation::Result::Error(s)) => {
            assert_eq!(s.code, tonic::Code::Cancelled as i32)
        }
        other => panic!("expected an error, got {other:?}"),
    }
    let progress = pb::OperationProgress::decode(op.metadata.expect("metadata").value.as_slice())
        .expect("progress");
    assert_eq!(progress.state, pb::OperationState::Cancelled as i32);
    assert_eq!(progress.request_id, "r1");
    assert!(progress.end_time.is_some());
}

#[test]
fn pages_cover_every_operation_once() {
    let ops = Operations::new(limits(10, 1000));
    let names: Vec<String> = (0..5)
        .map(|_| submit(&ops, b"t", 1).expect("room").name().to_string())
        .collect();
    let (mut seen, mut token) = (Vec::new(), String::new());
    loop {
        let page = ops.list(Some(b"t"), "", 2, &token).expect("lists");
        assert!(page.operations.len() <= 2);
        seen.extend(page.operations.into_iter().map(|o| o.name));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(seen, names);
    assert!(ops.list(Some(b"t"), "state=odd", 0, "").is_err());
    assert_eq!(
        ops.list(Some(b"t"), "done = true", 0, "")
            .expect("filter")
            .operations
            .len(),
        0
    );
}
