//! A reader of WordNet 3.0's noun database (`data.noun`, format `wndb(5)`) that turns the noun
//! synsets into inheritance nodes: hypernym (`@`) and instance-hypernym (`@i`) pointers become
//! parents, and each synset's lexicographer file (`noun.animal`, `noun.artifact`, ...) becomes
//! the property [`LEXFILE_PROPERTY`] (its topic: `animal`, `artifact`, ...), stated only where
//! it differs from what the synset inherits.
//!
//! The database comes from Debian's `wordnet-base` package (`/usr/share/wordnet`) or from the
//! directory named by `LLMKG_WORDNET_DIR`; a small excerpt with WordNet's license lives in
//! `bench-harness/tests/fixtures/wordnet`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use llmkg::core::{CoreError, Hierarchy, InheritanceNode, NodeId, PropertyValue};

/// The environment variable naming a directory that holds `data.noun`.
pub const WORDNET_DIR_VAR: &str = "LLMKG_WORDNET_DIR";

/// Where Debian's `wordnet-base` package installs the database.
pub const DEBIAN_WORDNET_DIR: &str = "/usr/share/wordnet";

/// The one line to print when the database is absent.
pub const WORDNET_INSTALL_HINT: &str = "WordNet 3.0 not found: `apt-get install -y wordnet-base` \
     installs /usr/share/wordnet/data.noun, or set LLMKG_WORDNET_DIR to a directory holding \
     data.noun";

/// The property the loader derives from each synset's lexicographer file.
pub const LEXFILE_PROPERTY: &str = "lexfile";

/// The noun lexicographer files, numbers 3 to 28 (`lexnames(5)`).
const NOUN_LEXFILES: [&str; 26] = [
    "noun.Tops",
    "noun.act",
    "noun.animal",
    "noun.artifact",
    "noun.attribute",
    "noun.body",
    "noun.cognition",
    "noun.communication",
    "noun.event",
    "noun.feeling",
    "noun.food",
    "noun.group",
    "noun.location",
    "noun.motive",
    "noun.object",
    "noun.person",
    "noun.phenomenon",
    "noun.plant",
    "noun.possession",
    "noun.process",
    "noun.quantity",
    "noun.relation",
    "noun.shape",
    "noun.state",
    "noun.substance",
    "noun.time",
];

/// The first noun lexicographer file number (`noun.Tops`).
const FIRST_NOUN_LEXFILE: u8 = 3;

/// What can go wrong reading WordNet.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WordNetError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A data line does not follow `wndb(5)`.
    #[error("line {line}: {problem}")]
    Malformed {
        /// The 1-based line number.
        line: usize,
        /// What is wrong, naming the offending field.
        problem: String,
    },
    /// A synset names a lexicographer file that is not a noun file.
    #[error("line {line}: lexicographer file {lex_filenum} is not a noun file (3 to 28)")]
    NotANounLexFile {
        /// The 1-based line number.
        line: usize,
        /// The number found.
        lex_filenum: u8,
    },
    /// Two data lines carry the same synset offset.
    #[error("line {line}: synset {offset:08} appears twice")]
    DuplicateSynset {
        /// The 1-based line number of the second one.
        line: usize,
        /// The offset.
        offset: u64,
    },
    /// A hypernym pointer names a synset the file does not hold.
    #[error("synset {synset:08} names hypernym {parent:08}, which is not in the file")]
    UnknownHypernym {
        /// The synset with the pointer.
        synset: u64,
        /// The missing target.
        parent: u64,
    },
}

/// One noun synset as the loader keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Synset {
    /// The byte offset that identifies the synset in `data.noun`.
    pub offset: u64,
    /// The lexicographer file number (3 to 28 for nouns).
    pub lex_filenum: u8,
    /// The synset's words, `_` for spaces as in the file.
    pub words: Vec<String>,
    /// Hypernym and instance-hypernym targets, in the file's order.
    pub hypernyms: Vec<u64>,
}

impl Synset {
    /// The lexicographer file's name, e.g. `noun.animal`.
    pub fn lexfile(&self) -> &'static str {
        // `parse_data_noun` admits only numbers with a name.
        NOUN_LEXFILES[usize::from(self.lex_filenum - FIRST_NOUN_LEXFILE)]
    }

    /// The lexicographer file's topic, its name without `noun.` (`animal`): the value of
    /// [`LEXFILE_PROPERTY`]. The shared prefix would make every pair of files look alike to a
    /// string similarity.
    pub fn topic(&self) -> &'static str {
        let name = self.lexfile();
        name.strip_prefix("noun.").unwrap_or(name)
    }
}

/// The directory holding `data.noun`: `LLMKG_WORDNET_DIR` when set, otherwise the Debian
/// default; `None` when that directory has no `data.noun`.
pub fn wordnet_dir() -> Option<PathBuf> {
    let dir = std::env::var_os(WORDNET_DIR_VAR)
        .map_or_else(|| PathBuf::from(DEBIAN_WORDNET_DIR), PathBuf::from);
    dir.join("data.noun").is_file().then_some(dir)
}

/// Reads and parses `dir/data.noun`.
///
/// # Errors
///
/// [`WordNetError::Io`] when the file cannot be read, otherwise those of [`parse_data_noun`].
pub fn load_data_noun(dir: &Path) -> Result<Vec<Synset>, WordNetError> {
    let path = dir.join("data.noun");
    let bytes = std::fs::read(&path).map_err(|source| WordNetError::Io {
        path: path.clone(),
        source,
    })?;
    parse_data_noun(&bytes)
}

/// Parses the text of `data.noun`: license lines (starting with two spaces) are skipped; each
/// other line is `offset lex_filenum n w_cnt (word lex_id)* p_cnt (symbol offset pos st)* | gloss`.
///
/// ```
/// let line = b"00001740 03 n 01 entity 0 000 | that which is perceived\n\
///              00001930 03 n 01 physical_entity 0 001 @ 00001740 n 0000 | physical\n";
/// let synsets = bench_harness::parse_data_noun(line)?;
/// assert_eq!(synsets[1].hypernyms, vec![1740]);
/// assert_eq!(synsets[1].lexfile(), "noun.Tops");
/// # Ok::<(), bench_harness::WordNetError>(())
/// ```
///
/// # Errors
///
/// [`WordNetError::Malformed`] for a line that breaks the format, naming the field;
/// [`WordNetError::NotANounLexFile`]; [`WordNetError::DuplicateSynset`].
pub fn parse_data_noun(bytes: &[u8]) -> Result<Vec<Synset>, WordNetError> {
    let mut synsets = Vec::new();
    let mut seen: HashSet<u64> = HashSet::new();
    for (index, raw) in bytes.split(|&byte| byte == b'\n').enumerate() {
        let line = index + 1;
        if raw.is_empty() || raw.starts_with(b"  ") {
            continue;
        }
        let text = std::str::from_utf8(raw).map_err(|_| WordNetError::Malformed {
            line,
            problem: "the line is not UTF-8".to_owned(),
        })?;
        let synset = parse_line(line, text)?;
        if !seen.insert(synset.offset) {
            return Err(WordNetError::DuplicateSynset {
                line,
                offset: synset.offset,
            });
        }
        synsets.push(synset);
    }
    Ok(synsets)
}

fn parse_line(line: usize, text: &str) -> Result<Synset, WordNetError> {
    let data = text.split(" | ").next().unwrap_or(text);
    let mut fields = data.split_ascii_whitespace();
    let mut next = |what: &str| {
        fields.next().ok_or_else(|| WordNetError::Malformed {
            line,
            problem: format!("missing {what}"),
        })
    };
    let malformed = |what: &str, value: &str| WordNetError::Malformed {
        line,
        problem: format!("{what} {value:?} is not valid"),
    };
    let offset_text = next("synset_offset")?;
    let offset: u64 = offset_text
        .parse()
        .map_err(|_| malformed("synset_offset", offset_text))?;
    let lex_text = next("lex_filenum")?;
    let lex_filenum: u8 = lex_text
        .parse()
        .map_err(|_| malformed("lex_filenum", lex_text))?;
    if !(FIRST_NOUN_LEXFILE..FIRST_NOUN_LEXFILE + NOUN_LEXFILES.len() as u8).contains(&lex_filenum)
    {
        return Err(WordNetError::NotANounLexFile { line, lex_filenum });
    }
    let ss_type = next("ss_type")?;
    if ss_type != "n" {
        return Err(malformed("ss_type", ss_type));
    }
    let w_cnt_text = next("w_cnt")?;
    let w_cnt =
        usize::from_str_radix(w_cnt_text, 16).map_err(|_| malformed("w_cnt", w_cnt_text))?;
    if w_cnt == 0 {
        return Err(malformed("w_cnt", w_cnt_text));
    }
    let mut words = Vec::with_capacity(w_cnt);
    for _ in 0..w_cnt {
        words.push(next("word")?.to_owned());
        let lex_id = next("lex_id")?;
        u8::from_str_radix(lex_id, 16).map_err(|_| malformed("lex_id", lex_id))?;
    }
    let p_cnt_text = next("p_cnt")?;
    let p_cnt: usize = p_cnt_text
        .parse()
        .map_err(|_| malformed("p_cnt", p_cnt_text))?;
    let mut hypernyms = Vec::new();
    for _ in 0..p_cnt {
        let symbol = next("pointer_symbol")?;
        let target_text = next("pointer offset")?;
        let target: u64 = target_text
            .parse()
            .map_err(|_| malformed("pointer offset", target_text))?;
        let pos = next("pointer pos")?;
        let source_target = next("pointer source/target")?;
        if source_target.len() != 4 || u16::from_str_radix(source_target, 16).is_err() {
            return Err(malformed("pointer source/target", source_target));
        }
        if matches!(symbol, "@" | "@i") && pos == "n" && !hypernyms.contains(&target) {
            hypernyms.push(target);
        }
    }
    Ok(Synset {
        offset,
        lex_filenum,
        words,
        hypernyms,
    })
}

/// What [`to_nodes`] found in the data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WordNetShape {
    /// Synsets (nodes).
    pub synsets: usize,
    /// Synsets with more than one hypernym.
    pub multiple_parents: usize,
    /// Synsets without a hypernym (roots).
    pub roots: usize,
    /// Synsets that state [`LEXFILE_PROPERTY`] themselves (roots, and wherever a parent's
    /// lexicographer file differs from the synset's).
    pub stated: usize,
    /// Synsets whose hypernyms disagree about the lexicographer file.
    pub disagreeing_parents: usize,
}

/// The synsets as inheritance nodes (id = offset, name = first word, type `noun`), with
/// [`LEXFILE_PROPERTY`] stated where a synset is a root or a hypernym's lexicographer file
/// differs from its own, so that every synset resolves to its own file.
///
/// ```
/// let text = b"00001740 03 n 01 entity 0 000 | x\n00015388 05 n 01 animal 0 001 @ 00001740 n 0000 | y\n\
///              01466257 05 n 01 chordate 0 001 @ 00015388 n 0000 | z\n";
/// let synsets = bench_harness::parse_data_noun(text)?;
/// let (nodes, shape) = bench_harness::to_nodes(&synsets)?;
/// assert_eq!(shape.stated, 2); // entity (a root) and animal (noun.animal under noun.Tops)
/// assert!(nodes[2].local_properties.is_empty()); // chordate inherits noun.animal
/// # Ok::<(), bench_harness::WordNetError>(())
/// ```
///
/// # Errors
///
/// [`WordNetError::UnknownHypernym`] for a pointer to a synset not given.
pub fn to_nodes(synsets: &[Synset]) -> Result<(Vec<InheritanceNode>, WordNetShape), WordNetError> {
    to_nodes_as(synsets, LexfileForm::Topic)
}

/// How [`to_nodes_as`] states a synset's lexicographer file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LexfileForm {
    /// Its topic, as a string (`animal`): [`Synset::topic`].
    #[default]
    Topic,
    /// Its number (3 to 28), as an `Integer`: a category label written as a number.
    Number,
}

impl LexfileForm {
    /// The value of [`LEXFILE_PROPERTY`] for `synset` in this form.
    pub fn value(self, synset: &Synset) -> PropertyValue {
        match self {
            LexfileForm::Topic => PropertyValue::String(synset.topic().to_owned()),
            LexfileForm::Number => PropertyValue::Integer(i64::from(synset.lex_filenum)),
        }
    }
}

/// [`to_nodes`] with the lexicographer file stated in `form`.
///
/// # Errors
///
/// [`WordNetError::UnknownHypernym`] for a pointer to a synset not given.
pub fn to_nodes_as(
    synsets: &[Synset],
    form: LexfileForm,
) -> Result<(Vec<InheritanceNode>, WordNetShape), WordNetError> {
    let lexfile_of: HashMap<u64, u8> = synsets
        .iter()
        .map(|synset| (synset.offset, synset.lex_filenum))
        .collect();
    let mut shape = WordNetShape {
        synsets: synsets.len(),
        ..WordNetShape::default()
    };
    let mut nodes = Vec::with_capacity(synsets.len());
    for synset in synsets {
        let mut parent_files = Vec::with_capacity(synset.hypernyms.len());
        for &parent in &synset.hypernyms {
            let file = lexfile_of
                .get(&parent)
                .ok_or(WordNetError::UnknownHypernym {
                    synset: synset.offset,
                    parent,
                })?;
            parent_files.push(*file);
        }
        match parent_files.len() {
            0 => shape.roots += 1,
            1 => {}
            _ => shape.multiple_parents += 1,
        }
        if parent_files.windows(2).any(|pair| pair[0] != pair[1]) {
            shape.disagreeing_parents += 1;
        }
        let name = synset.words.first().map_or("", String::as_str);
        let mut node = InheritanceNode::new(NodeId(synset.offset), name).with_type("noun");
        node.parent_ids = synset.hypernyms.iter().copied().map(NodeId).collect();
        if parent_files.is_empty() || parent_files.iter().any(|&f| f != synset.lex_filenum) {
            node.local_properties
                .insert(LEXFILE_PROPERTY.to_owned(), form.value(synset));
            shape.stated += 1;
        }
        nodes.push(node);
    }
    Ok((nodes, shape))
}

/// How the stated [`LEXFILE_PROPERTY`] values relate to what their synsets inherit, by the
/// hierarchy's own resolution: what `ExceptionSystem::process_hierarchy`'s buckets should hold,
/// computed without the detector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatedLexfiles {
    /// Synsets stating the property.
    pub stated: usize,
    /// Stated where nothing is inherited (the roots).
    pub introduced: usize,
    /// Stated and equal to what the synset inherits.
    pub equal: usize,
    /// Stated and different from what the synset inherits: deliberate overrides.
    pub overrides: usize,
    /// Stated where the hypernyms disagree with none more specific (a conflict it settles).
    pub settled_conflicts: usize,
}

/// Classifies every stated [`LEXFILE_PROPERTY`] value of `nodes` against `hierarchy`.
///
/// # Errors
///
/// A [`CoreError`] for a node that is not in `hierarchy`.
pub fn classify_stated(
    hierarchy: &Hierarchy,
    nodes: &[InheritanceNode],
) -> Result<StatedLexfiles, CoreError> {
    let mut counts = StatedLexfiles::default();
    for node in nodes {
        let Some(own) = node.local_properties.get(LEXFILE_PROPERTY) else {
            continue;
        };
        counts.stated += 1;
        let inherited = hierarchy.inherited_properties(node.id)?;
        match inherited.get(LEXFILE_PROPERTY) {
            Some(value) if value == own => counts.equal += 1,
            Some(_) => counts.overrides += 1,
            None if node.parent_ids.is_empty() => counts.introduced += 1,
            None => counts.settled_conflicts += 1,
        }
    }
    Ok(counts)
}

/// The baseline resolution: a breadth-first walk up the parent lists over a `HashMap` of
/// nodes, returning the first value found (what a caller without [`llmkg::core::Hierarchy`]
/// would write).
#[derive(Clone, Debug, Default)]
pub struct NaiveParentWalk {
    nodes: HashMap<u64, (Vec<u64>, HashMap<String, PropertyValue>)>,
}

impl NaiveParentWalk {
    /// Indexes the nodes by id.
    pub fn new(nodes: &[InheritanceNode]) -> Self {
        NaiveParentWalk {
            nodes: nodes
                .iter()
                .map(|node| {
                    (
                        node.id.0,
                        (
                            node.parent_ids.iter().map(|parent| parent.0).collect(),
                            node.local_properties.clone(),
                        ),
                    )
                })
                .collect(),
        }
    }

    /// The value of `property` on `id` or its nearest ancestor (breadth first, parents in
    /// order), if any.
    ///
    /// ```
    /// use llmkg::core::{CoreError, Hierarchy, InheritanceNode, NodeId, PropertyValue};
    /// let nodes = [
    ///     InheritanceNode::new(NodeId(1), "a").with_property("p", 1.0),
    ///     InheritanceNode::new(NodeId(2), "b").with_parent(NodeId(1)),
    /// ];
    /// let walk = bench_harness::NaiveParentWalk::new(&nodes);
    /// assert_eq!(walk.resolve(2, "p"), Some(&PropertyValue::Number(1.0)));
    /// ```
    pub fn resolve(&self, id: u64, property: &str) -> Option<&PropertyValue> {
        let mut queue = VecDeque::from([id]);
        let mut visited = HashSet::from([id]);
        while let Some(current) = queue.pop_front() {
            let (parents, properties) = self.nodes.get(&current)?;
            if let Some(value) = properties.get(property) {
                return Some(value);
            }
            for &parent in parents {
                if visited.insert(parent) {
                    queue.push_back(parent);
                }
            }
        }
        None
    }
}
