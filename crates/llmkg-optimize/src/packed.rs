//! Block-packed integer columns: frame-of-reference encoding with a byte width per block.
//!
//! A column of `u64`s is cut into blocks of [`BLOCK_LEN`] values. Each block stores its
//! minimum as a base and every value as `value - base` in the fewest whole bytes that hold
//! the block's largest difference; a block whose values are all equal stores no bytes at all.
//! Sorted sequences (node ids, row numbers, dictionary ids assigned in row order) and
//! near-constant columns (sources, confidences) shrink to zero to two bytes a value, while
//! reading value `i` stays O(1): one block lookup and one unaligned 8-byte load.

/// Values per block.
pub(crate) const BLOCK_LEN: usize = 128;

/// Bytes appended after the packed data so an 8-byte load at any value's offset stays in bounds.
const PADDING: usize = 7;

/// An immutable column of `u64`s, packed per block.
#[derive(Clone, Debug, Default)]
pub(crate) struct PackedColumn {
    len: usize,
    /// One header per block, kept together so a read touches one header cache line.
    blocks: Vec<BlockHeader>,
    bytes: Vec<u8>,
}

/// Where a block's values are and how to widen them.
#[derive(Clone, Copy, Debug)]
struct BlockHeader {
    /// The block's smallest value.
    base: u64,
    /// Offset of the block's first value in `bytes`, shifted left by 8, or'ed with the bytes
    /// per value (0 to 8; 0 means every value equals `base`). Packing both in one word keeps
    /// the header at 16 bytes, four to a cache line.
    start_and_width: u64,
}

impl BlockHeader {
    fn width(self) -> usize {
        (self.start_and_width & 0xff) as usize
    }

    fn start(self) -> usize {
        // Offsets come from a `usize` buffer length, so they fit back into `usize`.
        (self.start_and_width >> 8) as usize
    }
}

impl PackedColumn {
    /// Packs `values` (any order).
    pub(crate) fn from_values(values: impl IntoIterator<Item = u64>) -> Self {
        let mut builder = PackedColumnBuilder::default();
        for value in values {
            builder.push(value);
        }
        builder.finish()
    }

    /// Number of values.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The value at `index`; `index < len()` is the caller's invariant.
    #[inline]
    pub(crate) fn get(&self, index: usize) -> u64 {
        let header = self.blocks[index / BLOCK_LEN];
        let width = header.width();
        let base = header.base;
        if width == 0 {
            return base;
        }
        let start = header.start() + (index % BLOCK_LEN) * width;
        let mut word = [0_u8; 8];
        word.copy_from_slice(&self.bytes[start..start + 8]);
        // `width` is 1..=8 here, so the shift is 0..=56 and never overflows.
        let mask = u64::MAX >> (64 - 8 * width);
        base.wrapping_add(u64::from_le_bytes(word) & mask)
    }

    /// The values at `index` and `index + 1`; `index + 1 < len()` is the caller's invariant.
    /// Within one block both come from one header read.
    #[inline(always)]
    pub(crate) fn get_pair(&self, index: usize) -> (u64, u64) {
        if (index + 1).is_multiple_of(BLOCK_LEN) {
            return (self.get(index), self.get(index + 1));
        }
        let header = self.blocks[index / BLOCK_LEN];
        let width = header.width();
        let base = header.base;
        if width == 0 {
            return (base, base);
        }
        let start = header.start() + (index % BLOCK_LEN) * width;
        // The second value starts `width` bytes later in the same block, and every value's
        // offset is followed by at least 7 more bytes (data or padding).
        let mut word = [0_u8; 8];
        word.copy_from_slice(&self.bytes[start..start + 8]);
        let mut next = [0_u8; 8];
        next.copy_from_slice(&self.bytes[start + width..start + width + 8]);
        let mask = u64::MAX >> (64 - 8 * width);
        (
            base.wrapping_add(u64::from_le_bytes(word) & mask),
            base.wrapping_add(u64::from_le_bytes(next) & mask),
        )
    }

    /// Calls `visit(index, value)` for every value in `range`, in order.
    pub(crate) fn for_each_in(
        &self,
        range: std::ops::Range<usize>,
        mut visit: impl FnMut(usize, u64),
    ) {
        for index in range {
            visit(index, self.get(index));
        }
    }

    /// Number of blocks.
    pub(crate) fn block_count(&self) -> usize {
        self.blocks.len()
    }

    /// The constant value of `block` when every value in it is equal, else `None`.
    pub(crate) fn constant_block_value(&self, block: usize) -> Option<u64> {
        let header = self.blocks[block];
        (header.width() == 0).then_some(header.base)
    }

    /// Heap bytes held, from the buffers' capacities.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.blocks.capacity() * size_of::<BlockHeader>() + self.bytes.capacity()
    }
}

/// Builds a [`PackedColumn`] one value at a time.
#[derive(Debug, Default)]
pub(crate) struct PackedColumnBuilder {
    column: PackedColumn,
    pending: Vec<u64>,
}

impl PackedColumnBuilder {
    /// Appends one value.
    pub(crate) fn push(&mut self, value: u64) {
        if self.pending.capacity() == 0 {
            self.pending.reserve_exact(BLOCK_LEN);
        }
        self.pending.push(value);
        if self.pending.len() == BLOCK_LEN {
            self.flush_block();
        }
    }

    fn flush_block(&mut self) {
        let Some(&first) = self.pending.first() else {
            return;
        };
        let (min, max) = self
            .pending
            .iter()
            .fold((first, first), |(min, max), &v| (min.min(v), max.max(v)));
        let span = max - min;
        let width = (u64::BITS - span.leading_zeros()).div_ceil(8) as usize;
        let column = &mut self.column;
        column.blocks.push(BlockHeader {
            base: min,
            // Buffers never reach 2^56 bytes, so the shift loses nothing.
            start_and_width: ((column.bytes.len() as u64) << 8) | width as u64,
        });
        if width > 0 {
            for &value in &self.pending {
                column
                    .bytes
                    .extend_from_slice(&(value - min).to_le_bytes()[..width]);
            }
        }
        column.len += self.pending.len();
        self.pending.clear();
    }

    /// The packed column, with every buffer shrunk to its length.
    pub(crate) fn finish(mut self) -> PackedColumn {
        self.flush_block();
        let mut column = self.column;
        if !column.bytes.is_empty() {
            column.bytes.extend_from_slice(&[0; PADDING]);
        }
        column.blocks.shrink_to_fit();
        column.bytes.shrink_to_fit();
        column
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn constant_blocks_store_no_bytes() {
        let column = PackedColumn::from_values(std::iter::repeat_n(42, 1000));
        assert_eq!(column.len(), 1000);
        assert!(column.bytes.is_empty());
        assert_eq!(column.get(999), 42);
        assert_eq!(column.constant_block_value(3), Some(42));
    }

    #[test]
    fn sorted_sequence_packs_to_one_byte() {
        let column = PackedColumn::from_values(1_000_000..1_001_280);
        assert_eq!(column.bytes.len(), 1280 + PADDING);
        assert_eq!(column.get(0), 1_000_000);
        assert_eq!(column.get(1279), 1_001_279);
    }

    #[test]
    fn extremes_round_trip() {
        let values = [0, u64::MAX, 1, u64::MAX - 1, 1 << 63];
        let column = PackedColumn::from_values(values);
        for (index, value) in values.iter().enumerate() {
            assert_eq!(column.get(index), *value);
        }
        assert_eq!(column.constant_block_value(0), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn pairs_equal_two_reads(values in prop::collection::vec(any::<u64>().prop_map(|v| v >> (v % 64)), 2..700)) {
            let column = PackedColumn::from_values(values.iter().copied());
            for index in 0..values.len() - 1 {
                prop_assert_eq!(column.get_pair(index), (values[index], values[index + 1]));
            }
        }

        #[test]
        fn every_value_round_trips(values in prop::collection::vec(any::<u64>().prop_map(|v| v >> (v % 64)), 0..700)) {
            let column = PackedColumn::from_values(values.iter().copied());
            prop_assert_eq!(column.len(), values.len());
            let mut seen = Vec::new();
            column.for_each_in(0..column.len(), |_, v| seen.push(v));
            prop_assert_eq!(seen, values);
        }
    }
}
