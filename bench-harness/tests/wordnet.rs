//! The WordNet loader on the checked-in excerpt: parsing, hypernyms, the derived property, the
//! hierarchy it builds, and typed errors for malformed input.

use std::path::PathBuf;

use bench_harness::{
    LEXFILE_PROPERTY, LexfileForm, NaiveParentWalk, WordNetError, classify_stated, load_data_noun,
    parse_data_noun, to_nodes, to_nodes_as,
};
use llmkg::ExceptionSystem;
use llmkg::core::{Hierarchy, NodeId, PropertyValue};

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wordnet")
}

#[test]
fn the_excerpt_parses_with_its_hypernyms() -> anyhow::Result<()> {
    let synsets = load_data_noun(&fixture_dir())?;
    assert_eq!(synsets.len(), 57);
    let penguin = synsets
        .iter()
        .find(|s| s.words.first().is_some_and(|w| w == "penguin"))
        .ok_or_else(|| anyhow::anyhow!("no penguin"))?;
    assert_eq!(penguin.offset, 2_055_803);
    assert_eq!(penguin.lexfile(), "noun.animal");
    assert_eq!(penguin.hypernyms, vec![2_055_658]);
    // Nixon is an instance: its parent comes from an `@i` pointer.
    let nixon = synsets
        .iter()
        .find(|s| s.offset == 11_208_172)
        .ok_or_else(|| anyhow::anyhow!("no Nixon"))?;
    assert_eq!(nixon.words[0], "Nixon");
    assert_eq!(nixon.words.len(), 5);
    assert_eq!(nixon.hypernyms, vec![10_467_395]);
    // Two hypernyms from different lexicographer files.
    let performance = synsets
        .iter()
        .find(|s| s.offset == 100_253)
        .ok_or_else(|| anyhow::anyhow!("no musical_performance"))?;
    assert_eq!(performance.hypernyms, vec![550_771, 6_157_326]);
    Ok(())
}

#[test]
fn every_synset_resolves_to_its_own_lexicographer_file() -> anyhow::Result<()> {
    let synsets = load_data_noun(&fixture_dir())?;
    let (nodes, shape) = to_nodes(&synsets)?;
    assert_eq!(shape.synsets, 57);
    assert_eq!(shape.roots, 1);
    assert!(shape.multiple_parents >= 3, "{shape:?}");
    assert!(shape.disagreeing_parents >= 3, "{shape:?}");
    assert!(shape.stated < shape.synsets, "{shape:?}");
    let walk = NaiveParentWalk::new(&nodes);
    let hierarchy = Hierarchy::from_nodes(nodes)?;
    for synset in &synsets {
        let expected = PropertyValue::String(synset.topic().to_owned());
        let resolution = hierarchy.resolve(NodeId(synset.offset), LEXFILE_PROPERTY)?;
        assert!(
            !resolution.is_conflict(),
            "{}: {resolution:?}",
            synset.offset
        );
        assert_eq!(resolution.value(), Some(&expected), "{}", synset.offset);
        assert_eq!(
            walk.resolve(synset.offset, LEXFILE_PROPERTY),
            Some(&expected),
            "{}",
            synset.offset
        );
    }
    Ok(())
}

#[test]
fn a_property_is_stated_only_where_it_differs_from_the_parents() -> anyhow::Result<()> {
    let synsets = load_data_noun(&fixture_dir())?;
    let (nodes, _) = to_nodes(&synsets)?;
    let by_id = |id: u64| nodes.iter().find(|n| n.id == NodeId(id));
    // penguin (noun.animal) under sphenisciform_seabird (noun.animal): nothing stated.
    assert!(by_id(2_055_803).is_some_and(|n| n.local_properties.is_empty()));
    // chordate (noun.animal) under animal (noun.Tops): stated.
    let chordate = by_id(1_466_257).ok_or_else(|| anyhow::anyhow!("no chordate"))?;
    assert_eq!(
        chordate.local_properties.get(LEXFILE_PROPERTY),
        Some(&PropertyValue::String("animal".to_owned()))
    );
    // stage_dancing (noun.act) under dancing (noun.act) and show (noun.communication).
    assert!(by_id(528_397).is_some_and(|n| n.local_properties.len() == 1));
    // entity, the root, states its file.
    assert!(by_id(1_740).is_some_and(|n| n.local_properties.len() == 1));
    Ok(())
}

#[test]
fn malformed_lines_are_typed_errors() {
    let cases: [(&[u8], &str); 9] = [
        (b"abc 03 n 01 entity 0 000 | x\n", "synset_offset"),
        (b"00001740 xx n 01 entity 0 000 | x\n", "lex_filenum"),
        (b"00001740 03 v 01 entity 0 000 | x\n", "ss_type"),
        (b"00001740 03 n zz entity 0 000 | x\n", "w_cnt"),
        (b"00001740 03 n 01 entity\n", "lex_id"),
        (b"00001740 03 n 01 entity 0 001 @ 00001930\n", "pointer pos"),
        (
            b"00001740 03 n 01 entity 0 001 @ x n 0000 | x\n",
            "pointer offset",
        ),
        (
            b"00001740 03 n 01 entity 0 001 @ 1 n 00zz | x\n",
            "source/target",
        ),
        (b"00001740 03 n 01 entity 0 0x1 | x\n", "p_cnt"),
    ];
    for (text, field) in cases {
        match parse_data_noun(text) {
            Err(WordNetError::Malformed { line: 1, problem }) => {
                assert!(problem.contains(field), "{field}: {problem}");
            }
            other => panic!("{field}: expected a malformed-line error, got {other:?}"),
        }
    }
    assert!(matches!(
        parse_data_noun(b"00001740 31 n 01 entity 0 000 | x\n"),
        Err(WordNetError::NotANounLexFile {
            line: 1,
            lex_filenum: 31
        })
    ));
    assert!(matches!(
        parse_data_noun(b"\xff\xfe 03\n"),
        Err(WordNetError::Malformed { line: 1, .. })
    ));
    let twice = b"00001740 03 n 01 a 0 000 | x\n00001740 03 n 01 b 0 000 | y\n";
    assert!(matches!(
        parse_data_noun(twice),
        Err(WordNetError::DuplicateSynset {
            line: 2,
            offset: 1740
        })
    ));
}

#[test]
fn a_missing_hypernym_or_file_is_a_typed_error() {
    let orphan = b"00001930 03 n 01 physical_entity 0 001 @ 00001740 n 0000 | x\n";
    let synsets = parse_data_noun(orphan).expect("the line itself is well formed");
    assert!(matches!(
        to_nodes(&synsets),
        Err(WordNetError::UnknownHypernym {
            synset: 1930,
            parent: 1740
        })
    ));
    let missing = fixture_dir().join("no-such-dir");
    assert!(matches!(
        load_data_noun(&missing),
        Err(WordNetError::Io { .. })
    ));
}

/// `process_hierarchy` on the excerpt, with the topic as a word and as a number: every stated
/// value in one bucket, every override stored, every equal value a non-exception.
#[test]
fn every_stated_topic_is_accounted_for_and_every_override_stored() -> anyhow::Result<()> {
    let synsets = load_data_noun(&fixture_dir())?;
    for form in [LexfileForm::Topic, LexfileForm::Number] {
        let (nodes, shape) = to_nodes_as(&synsets, form)?;
        let hierarchy = Hierarchy::from_nodes(nodes.clone())?;
        let expected = classify_stated(&hierarchy, &nodes)?;
        assert_eq!(expected.stated, shape.stated);
        assert!(expected.overrides > 0, "{expected:?}");
        let report = ExceptionSystem::new().process_hierarchy(&hierarchy)?;
        assert!(report.is_balanced(), "{form:?}: {report:?}");
        assert_eq!(report.values_stated, shape.stated, "{form:?}");
        assert_eq!(
            report.exceptions, expected.overrides,
            "{form:?}: {report:?}"
        );
        assert_eq!(report.non_exceptions, expected.equal, "{form:?}");
        assert_eq!(
            report.settled_conflicts, expected.settled_conflicts,
            "{form:?}"
        );
        assert_eq!(report.introduced, expected.introduced, "{form:?}");
        assert!(
            report.unreported.is_empty(),
            "{form:?}: {:?}",
            report.unreported
        );
    }
    Ok(())
}
