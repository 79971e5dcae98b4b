//! A profiling probe for the seed's owned detection output on a fragmented heap: builds the
//! seed's 1,000-property node, optionally fragments the heap the way a long benchmark run
//! leaves it (many live blocks of mixed sizes with holes between them), then calls
//! `detect_node_exceptions` `rounds` times. Run under callgrind and subtract a run with 0
//! rounds to get instructions per call:
//!
//! ```text
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/fragmented_heap fragmented 50
//! ```

use std::collections::HashMap;
use std::hint::black_box;

use llmkg_core::{InheritanceNode, NodeId, PropertyValue};
use llmkg_detect::ExceptionDetector;

fn main() {
    let mut args = std::env::args().skip(1);
    let heap = args.next().unwrap_or_else(|| "fresh".to_owned());
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10);
    let mut node = InheritanceNode::new(NodeId(0), "TestNode_0");
    let mut inherited = HashMap::new();
    for index in 0..1000_usize {
        let value = match index % 3 {
            0 => PropertyValue::Boolean(true),
            1 => PropertyValue::String(format!("value_0_{index}")),
            _ => PropertyValue::Number(index as f64),
        };
        let name = format!("prop_{index}");
        node.local_properties.insert(name.clone(), value);
        inherited.insert(name, PropertyValue::Boolean(true));
    }
    // Live blocks of 16 to 400 bytes, every other one freed: holes of every small size.
    let mut live: Vec<Vec<u8>> = Vec::new();
    if heap == "fragmented" {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut blocks: Vec<Vec<u8>> = (0..200_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                vec![0_u8; 16 + (state % 385) as usize]
            })
            .collect();
        for (index, block) in blocks.drain(..).enumerate() {
            if index % 2 == 0 {
                live.push(block);
            }
        }
    }
    let detector = ExceptionDetector::new(0.8, 0.7);
    for _ in 0..rounds {
        black_box(detector.detect_node_exceptions(black_box(&node), black_box(&inherited)));
    }
    black_box(live.len());
}
