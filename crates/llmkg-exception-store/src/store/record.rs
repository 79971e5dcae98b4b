//! The compact form a shard keeps an exception's variable-size part in: its two values and
//! its reason, encoded one after the other into the shard's byte arena.
//!
//! Layout of one payload: a varint byte length of the rest, the inherited value, the actual
//! value, then the reason's UTF-8 bytes (up to the end). A value is a tag byte followed by:
//! nothing (`Null`, `false`, `true`), 8 little-endian bytes (`Number` as IEEE bits,
//! `Integer`), a varint length and UTF-8 bytes (`String`), or a varint count and that many
//! values (`List`). Lists are walked with an explicit stack, never by recursion.

use llmkg_core::PropertyValue;

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const NUMBER: u8 = 3;
const INTEGER: u8 = 4;
const STRING: u8 = 5;
const LIST: u8 = 6;

/// Where an encoder writes: the end of an arena, or a slot inside one.
trait Sink {
    fn put(&mut self, bytes: &[u8]);
    fn put_byte(&mut self, byte: u8) {
        self.put(&[byte]);
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn put_byte(&mut self, byte: u8) {
        self.push(byte);
    }
}

/// A slot of exactly the encoded length, filled from the front.
struct Cursor<'a> {
    slot: &'a mut [u8],
    at: usize,
}

impl Sink for Cursor<'_> {
    fn put(&mut self, bytes: &[u8]) {
        self.slot[self.at..self.at + bytes.len()].copy_from_slice(bytes);
        self.at += bytes.len();
    }
}

fn push_varint(out: &mut impl Sink, mut value: usize) {
    while value >= 0x80 {
        out.put_byte((value as u8) | 0x80);
        value >>= 7;
    }
    out.put_byte(value as u8);
}

/// Reads a varint at `*at`, advancing it.
#[inline]
fn read_varint(bytes: &[u8], at: &mut usize) -> usize {
    let mut value = 0_usize;
    let mut shift = 0;
    loop {
        let byte = bytes[*at];
        *at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return value;
        }
        shift += 7;
    }
}

#[inline]
fn varint_len(mut value: usize) -> usize {
    let mut len = 1;
    while value >= 0x80 {
        value >>= 7;
        len += 1;
    }
    len
}

/// Visits `value` and every value nested in it in encoding order (a list before its items),
/// with an explicit stack.
fn walk<'a>(value: &'a PropertyValue, mut visit: impl FnMut(&'a PropertyValue)) {
    let mut stack: Vec<std::slice::Iter<'a, PropertyValue>> = Vec::new();
    let mut next = Some(value);
    loop {
        if let Some(value) = next.take() {
            visit(value);
            if let PropertyValue::List(items) = value {
                stack.push(items.iter());
            }
        }
        match stack.last_mut() {
            Some(items) => match items.next() {
                Some(item) => next = Some(item),
                None => {
                    stack.pop();
                }
            },
            None => return,
        }
    }
}

/// Bytes one value's own encoding takes (a list's tag and count, not its items).
#[inline]
fn node_len(value: &PropertyValue) -> usize {
    match value {
        PropertyValue::Null | PropertyValue::Boolean(_) => 1,
        PropertyValue::Number(_) | PropertyValue::Integer(_) => 9,
        PropertyValue::String(text) => 1 + varint_len(text.len()) + text.len(),
        PropertyValue::List(items) => 1 + varint_len(items.len()),
    }
}

/// Writes one value's own encoding (a list's tag and count, not its items).
#[inline]
fn push_node(out: &mut impl Sink, value: &PropertyValue) {
    match value {
        PropertyValue::Null => out.put_byte(NULL),
        PropertyValue::Boolean(false) => out.put_byte(FALSE),
        PropertyValue::Boolean(true) => out.put_byte(TRUE),
        PropertyValue::Number(number) => {
            out.put_byte(NUMBER);
            out.put(&number.to_bits().to_le_bytes());
        }
        PropertyValue::Integer(integer) => {
            out.put_byte(INTEGER);
            out.put(&integer.to_le_bytes());
        }
        PropertyValue::String(text) => {
            out.put_byte(STRING);
            push_varint(out, text.len());
            out.put(text.as_bytes());
        }
        PropertyValue::List(items) => {
            out.put_byte(LIST);
            push_varint(out, items.len());
        }
    }
}

/// Bytes `value` takes encoded.
#[inline]
fn value_len(value: &PropertyValue) -> usize {
    if !matches!(value, PropertyValue::List(_)) {
        return node_len(value);
    }
    let mut len = 0;
    walk(value, |value| len += node_len(value));
    len
}

#[inline]
fn push_value(out: &mut impl Sink, value: &PropertyValue) {
    if !matches!(value, PropertyValue::List(_)) {
        return push_node(out, value);
    }
    walk(value, |value| push_node(out, value));
}

fn read_u64(bytes: &[u8], at: &mut usize) -> u64 {
    let mut word = [0_u8; 8];
    word.copy_from_slice(&bytes[*at..*at + 8]);
    *at += 8;
    u64::from_le_bytes(word)
}

fn read_str<'a>(bytes: &'a [u8], at: &mut usize) -> &'a str {
    let len = read_varint(bytes, at);
    let text = &bytes[*at..*at + len];
    *at += len;
    // Written from a `&str` by `push_value`.
    std::str::from_utf8(text).expect("the arena holds the UTF-8 a String gave it")
}

/// Decodes the value at `*at`, advancing past it; reuses `slot`'s string buffer when both are
/// strings.
#[inline]
fn read_value_into(bytes: &[u8], at: &mut usize, slot: &mut PropertyValue) {
    match (bytes[*at], &mut *slot) {
        (STRING, PropertyValue::String(buffer)) => {
            *at += 1;
            buffer.clear();
            buffer.push_str(read_str(bytes, at));
        }
        (FALSE, PropertyValue::Boolean(flag)) => {
            *at += 1;
            *flag = false;
        }
        (TRUE, PropertyValue::Boolean(flag)) => {
            *at += 1;
            *flag = true;
        }
        _ => *slot = read_value(bytes, at),
    }
}

/// Decodes the value at `*at`, advancing past it.
#[inline]
fn read_value(bytes: &[u8], at: &mut usize) -> PropertyValue {
    match bytes[*at] {
        NULL => {
            *at += 1;
            PropertyValue::Null
        }
        FALSE => {
            *at += 1;
            PropertyValue::Boolean(false)
        }
        TRUE => {
            *at += 1;
            PropertyValue::Boolean(true)
        }
        STRING => {
            *at += 1;
            PropertyValue::String(read_str(bytes, at).to_owned())
        }
        _ => read_nested(bytes, at),
    }
}

/// [`read_value`] of numbers and lists (lists walked with an explicit stack).
fn read_nested(bytes: &[u8], at: &mut usize) -> PropertyValue {
    // Open lists: the items read so far and how many are still to come.
    let mut open: Vec<(Vec<PropertyValue>, usize)> = Vec::new();
    loop {
        let tag = bytes[*at];
        *at += 1;
        let mut value = match tag {
            NULL => PropertyValue::Null,
            FALSE => PropertyValue::Boolean(false),
            TRUE => PropertyValue::Boolean(true),
            NUMBER => PropertyValue::Number(f64::from_bits(read_u64(bytes, at))),
            INTEGER => PropertyValue::Integer(read_u64(bytes, at) as i64),
            STRING => PropertyValue::String(read_str(bytes, at).to_owned()),
            _ => {
                // `LIST`: the only other tag `push_value` writes.
                let count = read_varint(bytes, at);
                if count > 0 {
                    open.push((Vec::with_capacity(count), count));
                    continue;
                }
                PropertyValue::List(Vec::new())
            }
        };
        // Close every list this value completes.
        loop {
            let Some((items, remaining)) = open.last_mut() else {
                return value;
            };
            items.push(value);
            *remaining -= 1;
            if *remaining > 0 {
                break;
            }
            let (items, _) = open.pop().expect("checked just above");
            value = PropertyValue::List(items);
        }
    }
}

/// Bytes the payload of (inherited, actual, reason) takes, its length prefix included.
pub(crate) fn payload_len(
    inherited: &PropertyValue,
    actual: &PropertyValue,
    reason: &str,
) -> usize {
    let body = value_len(inherited) + value_len(actual) + reason.len();
    varint_len(body) + body
}

fn encode(out: &mut impl Sink, inherited: &PropertyValue, actual: &PropertyValue, reason: &str) {
    let body = value_len(inherited) + value_len(actual) + reason.len();
    push_varint(out, body);
    push_value(out, inherited);
    push_value(out, actual);
    out.put(reason.as_bytes());
}

/// Appends the payload of (inherited, actual, reason) to `arena`; returns its start.
pub(crate) fn push_payload(
    arena: &mut Vec<u8>,
    inherited: &PropertyValue,
    actual: &PropertyValue,
    reason: &str,
) -> usize {
    let total = payload_len(inherited, actual, reason);
    if arena.capacity() - arena.len() < total {
        // A quarter more, not double: a shard's arena holds at most ~25 % slack.
        arena.reserve_exact(total.max(arena.capacity() / 4 + 64));
    }
    let start = arena.len();
    encode(arena, inherited, actual, reason);
    start
}

/// Writes the payload of (inherited, actual, reason) over `slot`, which is exactly
/// [`payload_len`] bytes long.
pub(crate) fn write_payload_at(
    slot: &mut [u8],
    inherited: &PropertyValue,
    actual: &PropertyValue,
    reason: &str,
) {
    let mut cursor = Cursor { slot, at: 0 };
    encode(&mut cursor, inherited, actual, reason);
}

/// The whole payload starting at `start` (its length prefix included).
pub(crate) fn payload_at(arena: &[u8], start: usize) -> &[u8] {
    let mut at = start;
    let body = read_varint(arena, &mut at);
    &arena[start..at + body]
}

/// The decoded (inherited, actual, reason) of a payload.
pub(crate) fn decode(payload: &[u8]) -> (PropertyValue, PropertyValue, String) {
    let mut at = 0;
    read_varint(payload, &mut at);
    let inherited = read_value(payload, &mut at);
    let actual = read_value(payload, &mut at);
    let reason = std::str::from_utf8(&payload[at..])
        .expect("the arena holds the UTF-8 a String gave it")
        .to_owned();
    (inherited, actual, reason)
}

/// Decodes a payload into existing slots, reusing their string buffers (a replaced exception
/// comes back in the allocations of the one that replaced it).
pub(crate) fn decode_into(
    payload: &[u8],
    inherited: &mut PropertyValue,
    actual: &mut PropertyValue,
    reason: &mut String,
) {
    let mut at = 0;
    read_varint(payload, &mut at);
    read_value_into(payload, &mut at, inherited);
    read_value_into(payload, &mut at, actual);
    reason.clear();
    reason.push_str(
        std::str::from_utf8(&payload[at..]).expect("the arena holds the UTF-8 a String gave it"),
    );
}

/// Only the actual value of a payload.
pub(crate) fn decode_actual(payload: &[u8]) -> PropertyValue {
    let mut at = 0;
    read_varint(payload, &mut at);
    skip_value(payload, &mut at);
    read_value(payload, &mut at)
}

fn skip_value(bytes: &[u8], at: &mut usize) {
    let mut pending = 1_usize;
    while pending > 0 {
        pending -= 1;
        let tag = bytes[*at];
        *at += 1;
        match tag {
            NUMBER | INTEGER => *at += 8,
            STRING => {
                let len = read_varint(bytes, at);
                *at += len;
            }
            LIST => pending += read_varint(bytes, at),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn value() -> impl Strategy<Value = PropertyValue> {
        let leaf = prop_oneof![
            Just(PropertyValue::Null),
            any::<bool>().prop_map(PropertyValue::Boolean),
            any::<f64>().prop_map(PropertyValue::Number),
            any::<i64>().prop_map(PropertyValue::Integer),
            ".{0,200}".prop_map(PropertyValue::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop::collection::vec(inner, 0..8).prop_map(PropertyValue::List)
        })
    }

    /// Structural equality that treats NaN bits as equal.
    fn same(left: &PropertyValue, right: &PropertyValue) -> bool {
        match (left, right) {
            (PropertyValue::Number(a), PropertyValue::Number(b)) => a.to_bits() == b.to_bits(),
            (PropertyValue::List(a), PropertyValue::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
            }
            _ => left == right,
        }
    }

    proptest! {
        #[test]
        fn payloads_round_trip(
            inherited in value(),
            actual in value(),
            reason in ".{0,100}",
            before in prop::collection::vec(any::<u8>(), 0..40),
        ) {
            let mut arena = before.clone();
            let start = push_payload(&mut arena, &inherited, &actual, &reason);
            prop_assert_eq!(&arena[..before.len()], &before[..]);
            let payload = payload_at(&arena, start);
            prop_assert_eq!(start + payload.len(), arena.len());
            let (i, a, r) = decode(payload);
            prop_assert!(same(&i, &inherited) && same(&a, &actual));
            prop_assert_eq!(&r, &reason);
            prop_assert!(same(&decode_actual(payload), &actual));
            let mut slot = vec![0_u8; payload.len()];
            prop_assert_eq!(payload_len(&inherited, &actual, &reason), payload.len());
            write_payload_at(&mut slot, &inherited, &actual, &reason);
            prop_assert_eq!(&slot[..], payload);
            let mut slots = (
                PropertyValue::String("old buffer".to_owned()),
                PropertyValue::Integer(3),
                "an old reason".to_owned(),
            );
            decode_into(payload, &mut slots.0, &mut slots.1, &mut slots.2);
            prop_assert!(same(&slots.0, &inherited) && same(&slots.1, &actual));
            prop_assert_eq!(&slots.2, &reason);
        }
    }

    #[test]
    fn a_deep_list_needs_no_recursion() {
        let mut deep = PropertyValue::Integer(1);
        for _ in 0..100_000 {
            deep = PropertyValue::List(vec![deep]);
        }
        let mut arena = Vec::new();
        let start = push_payload(&mut arena, &deep, &PropertyValue::Null, "deep");
        let payload = payload_at(&arena, start);
        assert!(decode_actual(payload) == PropertyValue::Null);
        let (inherited, _, reason) = decode(payload);
        assert_eq!(reason, "deep");
        let mut depth = 0;
        let mut cursor = &inherited;
        while let PropertyValue::List(items) = cursor {
            depth += 1;
            cursor = &items[0];
        }
        assert_eq!(depth, 100_000);
        // Dropping a 100,000-deep value recurses in `PropertyValue`'s drop glue; unwind it by hand.
        for value in [deep, inherited] {
            let mut value = value;
            while let PropertyValue::List(mut items) = value {
                value = items.pop().unwrap_or(PropertyValue::Null);
            }
        }
    }
}
