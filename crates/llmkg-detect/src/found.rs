//! What one detection found: the borrowed [`DetectedException`]s, and their order by
//! property name, sorted on integer keys rather than on the names.

use llmkg_exception::ExceptionParts;

/// An exception
/// [`ExceptionDetector::find_node_exceptions`](crate::ExceptionDetector::find_node_exceptions)
/// found: a local value that differs from the inherited one and passed both thresholds,
/// borrowed from the node, the inherited map and the pattern source.
///
/// It is the vocabulary's one borrowed exception, [`ExceptionParts`], with source
/// [`Detected`](llmkg_exception::ExceptionSource::Detected) and a
/// [described](llmkg_exception::Reason::Described) reason (its kind of change and the reason
/// a learned pattern lends), which [`write_reason`](ExceptionParts::write_reason) writes
/// and a store's borrowed insert takes as it is.
pub type DetectedException<'a> = ExceptionParts<'a>;

/// The exceptions of one detection, in the order the scan met them, with their order by
/// property name.
///
/// Each exception gets one `u64` key: the bits of its name's first 16 bytes (as a
/// big-endian integer, zero-padded) that follow the leading bits every name shares, with
/// the lowest bits replaced by its index. Sorting these primitive keys moves 8 bytes per
/// element instead of a whole exception and settles almost every comparison without
/// reading a name; keys that agree above the index bits (names that differ only further
/// on) are put in order by the full names afterwards.
pub(crate) struct Found<'a> {
    exceptions: Vec<DetectedException<'a>>,
    /// The keys, sorted so that the indices in their low bits list `exceptions` by name.
    order: Vec<u64>,
    /// The bits of a key that hold the index.
    index_mask: u64,
}

impl<'a> Found<'a> {
    /// Sorts the order of `exceptions` by property name; names must be distinct (they are
    /// a map's keys).
    pub(crate) fn new(exceptions: Vec<DetectedException<'a>>) -> Self {
        let mut order = Vec::new();
        let index_mask = sort_by_name(&exceptions, |exception| exception.property, &mut order);
        Found {
            exceptions,
            order,
            index_mask,
        }
    }

    /// The exceptions by property name.
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = &DetectedException<'a>> {
        self.order
            .iter()
            .map(|key| &self.exceptions[(key & self.index_mask) as usize])
    }

    /// How many exceptions were found.
    pub(crate) fn len(&self) -> usize {
        self.exceptions.len()
    }

    /// The exceptions by property name, moved into place without a second buffer.
    pub(crate) fn into_sorted(self) -> Vec<DetectedException<'a>> {
        let Found {
            mut exceptions,
            mut order,
            index_mask,
        } = self;
        let index_of = |key: u64| (key & index_mask) as usize;
        // Position `i` takes the exception that started at index `order[i]`; the swaps
        // before `i` moved that exception on to the index recorded at its old position, so
        // follow the chain until it points at `i` or later (the permutation step of
        // `sort_by_cached_key`). Each visited key is left holding just that index.
        for position in 0..order.len() {
            let mut source = index_of(order[position]);
            while source < position {
                source = index_of(order[source]);
            }
            order[position] = source as u64;
            exceptions.swap(position, source);
        }
        exceptions
    }
}

/// Fills `order` with one key per item of `items` (see [`Found`]), sorted so that the indices
/// in their low bits (`key & mask`, the mask returned) list `items` by `name`; names must be
/// distinct. `order` is cleared first, so a caller may reuse its allocation.
pub(crate) fn sort_by_name<T>(items: &[T], name: impl Fn(&T) -> &str, order: &mut Vec<u64>) -> u64 {
    let index_bits = usize::BITS - items.len().saturating_sub(1).leading_zeros();
    let index_mask = 1_u64
        .checked_shl(index_bits)
        .map_or(u64::MAX, |bit| bit - 1);
    // Bits every name shares say nothing about the order: dropping them leaves the key
    // the bits where names differ ("prop_12" and "prop_7" differ from their sixth byte).
    let first = items.first().map_or(0, |item| name_key(name(item)));
    let varying = items
        .iter()
        .fold(0, |varying, item| varying | (name_key(name(item)) ^ first));
    let shared_bits = varying.leading_zeros();
    order.clear();
    order.extend(items.iter().enumerate().map(|(index, item)| {
        let differing = name_key(name(item)).checked_shl(shared_bits).unwrap_or(0);
        ((differing >> 64) as u64 & !index_mask) | index as u64
    }));
    order.sort_unstable();
    let index_of = |key: &u64| (key & index_mask) as usize;
    for run in order.chunk_by_mut(|a, b| (a ^ b) <= index_mask) {
        if run.len() > 1 {
            run.sort_unstable_by(|a, b| name(&items[index_of(a)]).cmp(name(&items[index_of(b)])));
        }
    }
    index_mask
}

/// The first 16 bytes of `name` as a big-endian integer, zero-padded: ordering these
/// agrees with ordering the names, except that equal keys need the full comparison.
///
/// Read with at most two loads (the second overlapping the first) instead of a copy into a
/// padded buffer, which would call `memcpy` for every name.
#[inline]
fn name_key(name: &str) -> u128 {
    let bytes = name.as_bytes();
    let len = bytes.len();
    if let Some(head) = bytes.first_chunk::<16>() {
        return u128::from_be_bytes(*head);
    }
    let high = if let Some(head) = bytes.first_chunk::<8>() {
        // Bytes 8.. are the last `len - 8` bytes of the tail word; shift them to its top.
        let tail = bytes
            .last_chunk::<8>()
            .map_or(0, |tail| u64::from_be_bytes(*tail));
        let low = tail.checked_shl(8 * (16 - len as u32)).unwrap_or(0);
        return (u128::from(u64::from_be_bytes(*head)) << 64) | u128::from(low);
    } else if let Some(head) = bytes.first_chunk::<4>() {
        let tail = bytes
            .last_chunk::<4>()
            .map_or(0, |tail| u32::from_be_bytes(*tail));
        let low = tail.checked_shl(8 * (8 - len as u32)).unwrap_or(0);
        (u64::from(u32::from_be_bytes(*head)) << 32) | u64::from(low)
    } else {
        bytes.iter().enumerate().fold(0, |high, (position, byte)| {
            high | u64::from(*byte) << (56 - 8 * position)
        })
    };
    u128::from(high) << 64
}

#[cfg(test)]
mod tests;
