//! Structure-aware fuzzing of the optimizer snapshot decoder: a valid file is decoded, its
//! body mutated field by field (or byte by byte), re-encoded and re-framed with a valid header
//! and checksum, so every case reaches the decoder. A case either loads (and then saves and
//! loads again to the same contents) or is a typed error; it never panics.

use proptest::prelude::*;

use super::super::{FORMAT, SnapshotBody};
use super::{assert_same_contents, is_typed_file_error, load_bytes, sample_optimizer};
use crate::StorageOptimizer;

/// One change to a decoded body.
#[derive(Clone, Debug)]
enum Mutation {
    InheritedId(prop::sample::Index, u32),
    ActualId(prop::sample::Index, u32),
    ReasonId(prop::sample::Index, u32),
    Source(prop::sample::Index, u8),
    Confidence(prop::sample::Index, f32),
    Nanos(prop::sample::Index, i128),
    Node(prop::sample::Index, u64),
    /// Gives entry `a` the key of entry `b`.
    DuplicateKey(prop::sample::Index, prop::sample::Index),
    ValueEnd(prop::sample::Index, u64),
    ValueByte(prop::sample::Index, u8),
    TruncateValues(prop::sample::Index),
    DropReason(prop::sample::Index),
    DropEntry(prop::sample::Index),
    /// Repeats entry `a` `n` times with fresh keys (many entries sharing one value).
    Repeat(prop::sample::Index, u16),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let index = any::<prop::sample::Index>;
    let id = prop_oneof![0_u32..16, any::<u32>()];
    prop_oneof![
        (index(), id.clone()).prop_map(|(i, id)| Mutation::InheritedId(i, id)),
        (index(), id.clone()).prop_map(|(i, id)| Mutation::ActualId(i, id)),
        (index(), id).prop_map(|(i, id)| Mutation::ReasonId(i, id)),
        (index(), any::<u8>()).prop_map(|(i, s)| Mutation::Source(i, s)),
        (index(), any::<f32>()).prop_map(|(i, c)| Mutation::Confidence(i, c)),
        (index(), any::<i128>()).prop_map(|(i, n)| Mutation::Nanos(i, n)),
        (index(), any::<u64>()).prop_map(|(i, n)| Mutation::Node(i, n)),
        (index(), index()).prop_map(|(a, b)| Mutation::DuplicateKey(a, b)),
        (index(), any::<u64>()).prop_map(|(i, end)| Mutation::ValueEnd(i, end)),
        (index(), any::<u8>()).prop_map(|(i, b)| Mutation::ValueByte(i, b)),
        index().prop_map(Mutation::TruncateValues),
        index().prop_map(Mutation::DropReason),
        index().prop_map(Mutation::DropEntry),
        (index(), 1_u16..300).prop_map(|(i, n)| Mutation::Repeat(i, n)),
    ]
}

fn apply(body: &mut SnapshotBody, mutation: &Mutation) {
    let entries = body.entries.len().max(1);
    let entry = |i: &prop::sample::Index| i.index(entries);
    match mutation {
        Mutation::InheritedId(i, id) => body.entries[entry(i)].inherited_value = *id,
        Mutation::ActualId(i, id) => body.entries[entry(i)].actual_value = *id,
        Mutation::ReasonId(i, id) => body.entries[entry(i)].reason = *id,
        Mutation::Source(i, source) => body.entries[entry(i)].source = *source,
        Mutation::Confidence(i, confidence) => body.entries[entry(i)].confidence = *confidence,
        Mutation::Nanos(i, nanos) => body.entries[entry(i)].created_unix_nanos = *nanos,
        Mutation::Node(i, node) => body.entries[entry(i)].node_id = *node,
        Mutation::DuplicateKey(a, b) => {
            let (a, b) = (entry(a), entry(b));
            body.entries[a].node_id = body.entries[b].node_id;
            body.entries[a].property_hash = body.entries[b].property_hash;
        }
        Mutation::ValueEnd(i, end) => {
            let slot = i.index(body.value_ends.len().max(1));
            if let Some(value_end) = body.value_ends.get_mut(slot) {
                *value_end = *end;
            }
        }
        Mutation::ValueByte(i, byte) => {
            if !body.values.is_empty() {
                let slot = i.index(body.values.len());
                body.values[slot] = *byte;
            }
        }
        Mutation::TruncateValues(i) => {
            let keep = i.index(body.values.len() + 1);
            body.values.truncate(keep);
        }
        Mutation::DropReason(i) => {
            if !body.reasons.is_empty() {
                body.reasons.remove(i.index(body.reasons.len()));
            }
        }
        Mutation::DropEntry(i) => {
            if !body.entries.is_empty() {
                body.entries.remove(entry(i));
            }
        }
        Mutation::Repeat(i, count) => {
            let template = &body.entries[entry(i)];
            let copies: Vec<_> = (0..u64::from(*count))
                .map(|n| super::super::SnapshotEntry {
                    node_id: u64::MAX - n,
                    property_hash: template.property_hash ^ 0x5555,
                    ..*template
                })
                .collect();
            body.entries.extend(copies);
        }
    }
}

fn valid_body() -> SnapshotBody {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("valid.snapshot");
    sample_optimizer().save(&path).unwrap();
    let file = std::fs::read(&path).unwrap();
    let payload = FORMAT.decode(&file).unwrap();
    llmkg_filefmt::from_postcard(payload).unwrap()
}

fn check(file: &[u8]) -> Result<(), TestCaseError> {
    match load_bytes(file) {
        Ok(loaded) => {
            // A file that loads saves to one that loads to the same contents.
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("again.snapshot");
            loaded.save(&path).unwrap();
            let again = StorageOptimizer::load(&path).unwrap();
            assert_same_contents(&loaded, &again);
        }
        Err(error) => prop_assert!(is_typed_file_error(&error), "{}", error),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(llmkg_filefmt::fuzz_cases(96)))]

    /// Field-level mutations of a valid body, re-framed with a valid checksum.
    #[test]
    fn mutated_bodies_behind_valid_checksums_load_or_are_typed_errors(
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut body = valid_body();
        for mutation in &mutations {
            apply(&mut body, mutation);
        }
        let file = FORMAT.encode(&postcard::to_stdvec(&body).unwrap());
        check(&file)?;
    }

    /// Byte-level mutations of a valid payload (flips, overwrites, cuts, insertions),
    /// re-framed with a valid checksum: the postcard layer and the decoder both see them.
    #[test]
    fn mutated_payload_bytes_behind_valid_checksums_load_or_are_typed_errors(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0_u8..3), 1..6),
    ) {
        let mut payload = postcard::to_stdvec(&valid_body()).unwrap();
        for (position, byte, kind) in &edits {
            let at = position.index(payload.len());
            match kind {
                0 => payload[at] ^= byte | 1,
                1 => payload.truncate(at),
                _ => payload.insert(at, *byte),
            }
            if payload.is_empty() {
                break;
            }
        }
        check(&FORMAT.encode(&payload))?;
    }
}
