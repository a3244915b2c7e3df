//! The MIT "profile" format that krb5.conf is written in: a tree of
//! sections, subsections and relations, plus `include`/`includedir`.
//!
//! The grammar and the lookup rules follow MIT krb5's profile library:
//!
//! * Lines whose first non-blank character is `#` or `;` are comments.
//!   Comments are *only* recognised at the start of a line (or right after
//!   an opening `{`); `kdc = host # note` has the value `host # note`, as in
//!   MIT.
//! * Everything before the first line that starts (in column 0) with `[` is
//!   ignored, as MIT does (this is where MIT's `module` directive lives).
//! * `[name]` starts a top-level section; `[name]*` marks it final.
//!   A section header inside a subsection is an error.
//! * `tag = value` is a relation. `tag* = value` marks the relation final
//!   (the tag is cut at the first `*`). A value starting with `"` is a
//!   quoted string with `\n`, `\t`, `\b` and `\\` escapes; otherwise the
//!   value is the rest of the line with trailing blanks removed.
//! * `tag = {` (or `tag =` followed by a line starting with `{`) opens a
//!   subsection, `}` closes it and `}*` marks it final (as does `tag* = {`).
//!   A subsection that is opened twice in one file is merged, as is a
//!   top-level section that appears twice.
//! * `include FILE` and `includedir DIR` must start in column 0. Included
//!   files are syntactically independent (each must start with a section
//!   header) and are merged into the tree of the file that includes them.
//!   `includedir` reads the files whose names consist only of ASCII
//!   alphanumerics, `-` and `_`, or that end in `.conf`, in byte-wise
//!   lexicographic order. Unlike MIT, a relative include path is resolved
//!   against the directory of the including file (MIT uses the process's
//!   working directory; its documentation requires absolute paths).
//! * Also unlike MIT, a leading UTF-8 byte-order mark is ignored.
//!
//! Several files (for example the entries of `KRB5_CONFIG`) form one
//! [`Profile`]. A lookup walks the files in order and concatenates what it
//! finds; once a section on the path or a matching relation is marked final
//! in one file, later files are not consulted for that lookup.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::ConfigError;

/// Largest single configuration file that is read, in bytes.
pub const MAX_FILE_SIZE: u64 = 1024 * 1024;
/// Deepest `include` nesting accepted.
pub const MAX_INCLUDE_DEPTH: usize = 8;
/// Most files read (including those pulled in by `include`/`includedir`)
/// for one profile.
pub const MAX_FILES: usize = 256;
/// Deepest subsection nesting accepted (`a = { b = { ... } }`).
pub const MAX_NESTING: usize = 32;

/// Where a relation was written: the file (`None` for text parsed from a
/// string or built programmatically) and the 1-based line number (0 for
/// built values).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    /// The file the value came from, if any.
    pub file: Option<Arc<Path>>,
    /// 1-based line number; 0 when the value was not parsed from text.
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(p) => write!(f, "{}:{}", p.display(), self.line),
            None if self.line == 0 => f.write_str("<builder>"),
            None => write!(f, "<string>:{}", self.line),
        }
    }
}

/// A `tag = value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    name: String,
    value: String,
    is_final: bool,
    origin: Origin,
}

impl Relation {
    /// The tag.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The value, with quotes and escapes already processed.
    pub fn value(&self) -> &str {
        &self.value
    }
    /// Whether the relation was written `tag* = value`.
    pub fn is_final(&self) -> bool {
        self.is_final
    }
    /// Where the relation was written.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }
}

/// A child of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// `tag = value`
    Relation(Relation),
    /// `tag = { ... }` (or a top-level `[section]`)
    Section(Section),
}

/// A section or subsection and its children, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    name: String,
    is_final: bool,
    children: Vec<Node>,
    /// Subsection name -> index in `children` (keeps parsing linear).
    index: HashMap<String, usize>,
}

impl Section {
    pub(crate) fn new(name: &str) -> Self {
        Section {
            name: name.to_owned(),
            is_final: false,
            children: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// The section's name (empty for a file's root).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Whether the section is marked final.
    pub fn is_final(&self) -> bool {
        self.is_final
    }
    /// All children in order.
    pub fn children(&self) -> &[Node] {
        &self.children
    }
    /// The subsection called `name`, if there is one.
    pub fn subsection(&self, name: &str) -> Option<&Section> {
        match self.children.get(*self.index.get(name)?) {
            Some(Node::Section(s)) => Some(s),
            _ => None,
        }
    }
    /// The subsections, in order.
    pub fn subsections(&self) -> impl Iterator<Item = &Section> {
        self.children.iter().filter_map(|n| match n {
            Node::Section(s) => Some(s),
            Node::Relation(_) => None,
        })
    }
    /// The relations, in order.
    pub fn relations(&self) -> impl Iterator<Item = &Relation> {
        self.children.iter().filter_map(|n| match n {
            Node::Relation(r) => Some(r),
            Node::Section(_) => None,
        })
    }

    fn subsection_index_or_insert(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        self.children.push(Node::Section(Section::new(name)));
        let i = self.children.len() - 1;
        self.index.insert(name.to_owned(), i);
        i
    }

    fn mark_child_final(&mut self, idx: usize) {
        if let Some(s) = self.child_section_mut(idx) {
            s.is_final = true;
        }
    }

    fn child_section_mut(&mut self, idx: usize) -> Option<&mut Section> {
        match self.children.get_mut(idx) {
            Some(Node::Section(s)) => Some(s),
            _ => None,
        }
    }

    /// Adds a relation under the subsection path `path` (created as needed).
    pub(crate) fn add_relation(&mut self, path: &[&str], tag: &str, value: &str) {
        let mut sec = self;
        for name in path {
            let i = sec.subsection_index_or_insert(name);
            sec = match sec.child_section_mut(i) {
                Some(s) => s,
                None => return,
            };
        }
        sec.children.push(Node::Relation(Relation {
            name: tag.to_owned(),
            value: value.to_owned(),
            is_final: false,
            origin: Origin::default(),
        }));
    }
}

/// One top-level configuration file (with its includes merged in).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfileFile {
    source: Option<Arc<Path>>,
    root: Section,
}

impl ProfileFile {
    pub(crate) fn from_root(source: Option<Arc<Path>>, root: Section) -> Self {
        ProfileFile { source, root }
    }
    /// The path the file was read from (`None` for strings and builders).
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }
    /// The root of the tree; its children are the top-level sections.
    pub fn root(&self) -> &Section {
        &self.root
    }
}

/// Options for parsing.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// Whether `include`/`includedir` are followed. When false, an include
    /// directive is an error ([`ConfigError::IncludeDisabled`]).
    pub includes: bool,
    /// Directory that relative include paths of text parsed from a string
    /// are resolved against; the process's working directory when `None`.
    pub base_dir: Option<PathBuf>,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            includes: true,
            base_dir: None,
        }
    }
}

impl ParseOptions {
    /// Options with includes disabled (for untrusted text).
    pub fn no_includes() -> Self {
        ParseOptions {
            includes: false,
            base_dir: None,
        }
    }
}

/// The kind of a syntax error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SyntaxError {
    /// `[section]` inside a `{ ... }` subsection.
    #[error("section header inside a subsection")]
    SectionNotTop,
    /// A malformed `[section]` line.
    #[error("malformed section header")]
    SectionSyntax,
    /// A `}` with no open subsection.
    #[error("extra closing brace")]
    ExtraCloseBrace,
    /// A line that is neither a section header, a brace, nor `tag = value`.
    #[error("malformed relation (expected `tag = value`)")]
    RelationSyntax,
    /// `tag =` not followed by a line starting with `{`.
    #[error("missing opening brace after `tag =`")]
    MissingOpenBrace,
    /// Subsections nested deeper than [`MAX_NESTING`].
    #[error("subsections nested too deeply")]
    TooDeep,
}

/// A set of parsed files, searched in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Profile {
    files: Vec<ProfileFile>,
}

impl Profile {
    /// An empty profile.
    pub fn new() -> Self {
        Profile::default()
    }

    /// Parses text (includes resolved per `opts`) as one profile file.
    pub fn parse_str(text: &str, opts: &ParseOptions) -> Result<Self, ConfigError> {
        let mut loader = Loader::new(opts);
        let mut root = Section::new("");
        loader.parse_text(text, None, opts.base_dir.as_deref(), &mut root)?;
        Ok(Profile {
            files: vec![ProfileFile { source: None, root }],
        })
    }

    /// Reads one file, which must exist, and appends it as the last file.
    pub fn push_file(&mut self, path: &Path, opts: &ParseOptions) -> Result<(), ConfigError> {
        let mut loader = Loader::new(opts);
        let root = loader.load_top(path)?;
        self.files.push(ProfileFile {
            source: Some(Arc::from(path)),
            root,
        });
        Ok(())
    }

    /// Appends an already built file.
    pub fn push(&mut self, file: ProfileFile) {
        self.files.push(file);
    }

    /// The files, highest precedence first.
    pub fn files(&self) -> &[ProfileFile] {
        &self.files
    }

    /// All relations at `path` (`[section, subsection..., tag]`), across the
    /// files in order, stopping after the first file in which a section on
    /// the path or a matching relation is final.
    pub fn relations(&self, path: &[&str]) -> Vec<&Relation> {
        self.relations_by(path, |a, b| a == b)
    }

    /// Like [`Profile::relations`], with a custom comparison for the tag.
    pub(crate) fn relations_by(
        &self,
        path: &[&str],
        tag_eq: impl Fn(&str, &str) -> bool,
    ) -> Vec<&Relation> {
        let mut out = Vec::new();
        let Some((tag, sections)) = path.split_last() else {
            return out;
        };
        for file in &self.files {
            let (sec, mut final_seen) = walk(&file.root, sections);
            if let Some(sec) = sec {
                for r in sec.relations().filter(|r| tag_eq(&r.name, tag)) {
                    final_seen |= r.is_final;
                    out.push(r);
                }
            }
            if final_seen {
                break;
            }
        }
        out
    }

    /// All values at `path`, in precedence order.
    pub fn values(&self, path: &[&str]) -> Vec<&str> {
        self.relations(path)
            .into_iter()
            .map(|r| r.value())
            .collect()
    }

    /// The first value at `path` (what MIT's `profile_get_string` returns).
    pub fn value(&self, path: &[&str]) -> Option<&str> {
        self.relations(path).first().map(|r| r.value())
    }

    /// The first relation at `path`.
    pub fn relation(&self, path: &[&str]) -> Option<&Relation> {
        self.relations(path).into_iter().next()
    }

    /// Names of the subsections directly under `path`, de-duplicated, in
    /// order of first appearance, honouring final flags.
    pub fn subsection_names(&self, path: &[&str]) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for file in &self.files {
            let (sec, mut final_seen) = walk(&file.root, path);
            if let Some(sec) = sec {
                for s in sec.subsections() {
                    final_seen |= s.is_final;
                    if seen.insert(&s.name) {
                        out.push(&s.name);
                    }
                }
            }
            if final_seen {
                break;
            }
        }
        out
    }
}

/// Follows `path` from `root`; returns the section (if the whole path
/// exists) and whether a final section was passed.
fn walk<'a>(root: &'a Section, path: &[&str]) -> (Option<&'a Section>, bool) {
    let mut final_seen = false;
    let mut sec = root;
    for name in path {
        match sec.subsection(name) {
            Some(s) => {
                final_seen |= s.is_final;
                sec = s;
            }
            None => return (None, final_seen),
        }
    }
    (Some(sec), final_seen)
}

/// C's `isspace` in the "C" locale.
pub(crate) fn is_c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}')
}

fn skip_blanks(s: &str) -> &str {
    s.trim_start_matches(is_c_space)
}

fn end_or_comment(s: &str) -> bool {
    matches!(s.chars().next(), None | Some('#') | Some(';'))
}

/// Processes a quoted string whose opening quote has been removed: stops
/// at the closing quote (or the end), handles `\n`, `\t`, `\b` and escapes
/// any other character.
fn parse_quoted(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        match c {
            '"' => break,
            '\\' => match it.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('b') => out.push('\u{8}'),
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    out
}

/// If `line` is `directive` followed by whitespace, the argument.
fn directive<'a>(line: &'a str, directive: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(directive)?;
    if rest.starts_with(is_c_space) {
        Some(rest.trim_matches(is_c_space))
    } else {
        None
    }
}

/// Whether `includedir` (and a `KRB5_CONFIG` directory) reads this name.
pub(crate) fn valid_include_name(name: &str) -> bool {
    name.ends_with(".conf")
        || name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    InitComment,
    StdLine,
    GetOpenBrace,
}

/// Reads files and text into trees, enforcing the limits.
pub(crate) struct Loader<'o> {
    opts: &'o ParseOptions,
    /// Canonical paths of the files being read (for loop detection).
    stack: Vec<PathBuf>,
    files_read: usize,
}

impl<'o> Loader<'o> {
    pub(crate) fn new(opts: &'o ParseOptions) -> Self {
        Loader {
            opts,
            stack: Vec::new(),
            files_read: 0,
        }
    }

    /// Reads a top-level file or directory (a `KRB5_CONFIG` entry) into a
    /// fresh tree.
    pub(crate) fn load_top(&mut self, path: &Path) -> Result<Section, ConfigError> {
        let mut root = Section::new("");
        let meta = fs::metadata(path).map_err(|source| ConfigError::Io {
            path: path.to_owned(),
            source,
        })?;
        if meta.is_dir() {
            self.include_dir(path, &mut root)?;
        } else {
            self.include_file(path, &mut root)?;
        }
        Ok(root)
    }

    fn read_limited(path: &Path) -> Result<String, ConfigError> {
        let io = |source| ConfigError::Io {
            path: path.to_owned(),
            source,
        };
        let file = fs::File::open(path).map_err(io)?;
        let mut buf = Vec::new();
        file.take(MAX_FILE_SIZE + 1)
            .read_to_end(&mut buf)
            .map_err(io)?;
        if buf.len() as u64 > MAX_FILE_SIZE {
            return Err(ConfigError::TooLarge {
                path: path.to_owned(),
                limit: MAX_FILE_SIZE,
            });
        }
        match String::from_utf8(buf) {
            Ok(s) => Ok(s),
            Err(e) => {
                tracing::warn!(path = %path.display(), "configuration file is not valid UTF-8; invalid bytes replaced");
                Ok(String::from_utf8_lossy(e.as_bytes()).into_owned())
            }
        }
    }

    /// Parses the file at `path` into `root`.
    fn include_file(&mut self, path: &Path, root: &mut Section) -> Result<(), ConfigError> {
        if self.stack.len() > MAX_INCLUDE_DEPTH {
            return Err(ConfigError::IncludeDepth {
                path: path.to_owned(),
                limit: MAX_INCLUDE_DEPTH,
            });
        }
        if self.files_read >= MAX_FILES {
            return Err(ConfigError::TooManyFiles { limit: MAX_FILES });
        }
        let canonical = fs::canonicalize(path).map_err(|source| ConfigError::Io {
            path: path.to_owned(),
            source,
        })?;
        if self.stack.contains(&canonical) {
            return Err(ConfigError::IncludeLoop {
                path: path.to_owned(),
            });
        }
        self.files_read += 1;
        tracing::debug!(path = %path.display(), "reading Kerberos configuration file");
        let text = Self::read_limited(path)?;
        self.stack.push(canonical);
        let base = path.parent().map(Path::to_path_buf);
        let result = self.parse_text(&text, Some(Arc::from(path)), base.as_deref(), root);
        self.stack.pop();
        result
    }

    /// Parses the eligible files of directory `dir` into `root`.
    fn include_dir(&mut self, dir: &Path, root: &mut Section) -> Result<(), ConfigError> {
        let io = |source| ConfigError::Io {
            path: dir.to_owned(),
            source,
        };
        tracing::debug!(dir = %dir.display(), "reading Kerberos configuration directory");
        let mut names: Vec<String> = Vec::new();
        for entry in fs::read_dir(dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if valid_include_name(&name) {
                names.push(name);
            }
        }
        names.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        for name in names {
            let path = dir.join(&name);
            // Subdirectories and other non-files are skipped.
            if !fs::metadata(&path).map(|m| m.is_file()).unwrap_or(false) {
                continue;
            }
            self.include_file(&path, root)?;
        }
        Ok(())
    }

    /// Parses `text` into `root`. `file` is used for error locations and
    /// `base` for resolving relative include paths.
    pub(crate) fn parse_text(
        &mut self,
        text: &str,
        file: Option<Arc<Path>>,
        base: Option<&Path>,
        root: &mut Section,
    ) -> Result<(), ConfigError> {
        let mut p = LineParser {
            state: State::InitComment,
            top: None,
            sub: Vec::new(),
        };
        // A leading UTF-8 byte-order mark would hide the first section
        // header (MIT does not strip it; editors on Windows add it).
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text.split('\n').peekable();
        let mut lineno = 0usize;
        while let Some(raw) = lines.next() {
            lineno += 1;
            // A trailing newline does not start another (empty) line.
            if raw.is_empty() && lines.peek().is_none() {
                break;
            }
            let line = raw.trim_end_matches(['\r', '\n']);
            let origin = Origin {
                file: file.clone(),
                line: lineno,
            };
            let incl = if let Some(arg) = directive(line, "include") {
                Some((arg, false))
            } else {
                directive(line, "includedir").map(|arg| (arg, true))
            };
            if let Some((arg, is_dir)) = incl {
                if !self.opts.includes {
                    return Err(ConfigError::IncludeDisabled { origin });
                }
                let target = resolve(arg, base);
                let r = if is_dir {
                    self.include_dir(&target, root)
                } else {
                    self.include_file(&target, root)
                };
                r.map_err(|e| ConfigError::Include {
                    origin,
                    source: Box::new(e),
                })?;
                continue;
            }
            p.line(line, root, &origin)
                .map_err(|kind| ConfigError::Syntax { origin, kind })?;
        }
        if !p.sub.is_empty() {
            tracing::warn!(
                file = %Origin { file, line: lineno }, "configuration ends inside an unclosed subsection"
            );
        }
        Ok(())
    }
}

fn resolve(arg: &str, base: Option<&Path>) -> PathBuf {
    let p = Path::new(arg);
    match base {
        Some(b) if p.is_relative() => b.join(p),
        _ => p.to_path_buf(),
    }
}

/// Per-file parse state.
struct LineParser {
    state: State,
    /// Index of the current top-level section in the root.
    top: Option<usize>,
    /// Child indices of the open subsections below `top`.
    sub: Vec<usize>,
}

impl LineParser {
    fn current<'r>(&self, root: &'r mut Section) -> Option<&'r mut Section> {
        let mut sec = root.child_section_mut(self.top?)?;
        for &i in &self.sub {
            sec = sec.child_section_mut(i)?;
        }
        Some(sec)
    }

    fn line(&mut self, line: &str, root: &mut Section, origin: &Origin) -> Result<(), SyntaxError> {
        match self.state {
            State::InitComment => {
                if !line.starts_with('[') {
                    return Ok(());
                }
                self.state = State::StdLine;
                self.std_line(line, root, origin)
            }
            State::GetOpenBrace => {
                if !skip_blanks(line).starts_with('{') {
                    return Err(SyntaxError::MissingOpenBrace);
                }
                self.state = State::StdLine;
                Ok(())
            }
            State::StdLine => self.std_line(line, root, origin),
        }
    }

    fn std_line(
        &mut self,
        line: &str,
        root: &mut Section,
        origin: &Origin,
    ) -> Result<(), SyntaxError> {
        if line.starts_with([';', '#']) {
            return Ok(());
        }
        let cp = skip_blanks(line);
        if end_or_comment(cp) {
            return Ok(());
        }
        if let Some(rest) = cp.strip_prefix('[') {
            return self.section_header(rest, root);
        }
        if let Some(rest) = cp.strip_prefix('}') {
            if self.sub.is_empty() {
                return Err(SyntaxError::ExtraCloseBrace);
            }
            if rest.starts_with('*')
                && let Some(sec) = self.current(root)
            {
                sec.is_final = true;
            }
            self.sub.pop();
            return Ok(());
        }
        self.relation(cp, root, origin)
    }

    fn section_header(&mut self, rest: &str, root: &mut Section) -> Result<(), SyntaxError> {
        if !self.sub.is_empty() {
            return Err(SyntaxError::SectionNotTop);
        }
        let close = rest.find(']').ok_or(SyntaxError::SectionSyntax)?;
        let inner = skip_blanks(&rest[..close]);
        let name = if let Some(q) = skip_blanks(rest).strip_prefix('"') {
            parse_quoted(q)
        } else {
            let n = inner.trim_end_matches(is_c_space);
            if n.is_empty() {
                return Err(SyntaxError::SectionSyntax);
            }
            n.to_owned()
        };
        let mut after = &rest[close + 1..];
        let mut is_final = false;
        if let Some(a) = after.strip_prefix('*') {
            is_final = true;
            after = a;
        }
        if !skip_blanks(after).is_empty() {
            return Err(SyntaxError::SectionSyntax);
        }
        let idx = root.subsection_index_or_insert(&name);
        if is_final {
            root.mark_child_final(idx);
        }
        self.top = Some(idx);
        Ok(())
    }

    fn relation(
        &mut self,
        cp: &str,
        root: &mut Section,
        origin: &Origin,
    ) -> Result<(), SyntaxError> {
        let eq = cp.find('=').ok_or(SyntaxError::RelationSyntax)?;
        if eq == 0 {
            return Err(SyntaxError::RelationSyntax);
        }
        let tag_raw = &cp[..eq];
        let mut tag = if let Some(q) = tag_raw.strip_prefix('"') {
            parse_quoted(q)
        } else {
            let end = tag_raw.find(is_c_space).unwrap_or(tag_raw.len());
            if !skip_blanks(&tag_raw[end..]).is_empty() {
                return Err(SyntaxError::RelationSyntax);
            }
            tag_raw[..end].to_owned()
        };
        let is_final = match tag.find('*') {
            Some(i) => {
                tag.truncate(i);
                true
            }
            None => false,
        };

        let value_part = skip_blanks(&cp[eq + 1..]);
        let value = if let Some(q) = value_part.strip_prefix('"') {
            Some(parse_quoted(q))
        } else if end_or_comment(value_part) {
            self.state = State::GetOpenBrace;
            None
        } else if let Some(after) = value_part.strip_prefix('{') {
            if !end_or_comment(skip_blanks(after)) {
                return Err(SyntaxError::RelationSyntax);
            }
            None
        } else {
            Some(value_part.trim_end_matches(is_c_space).to_owned())
        };

        let Some(sec) = self.current(root) else {
            return Err(SyntaxError::RelationSyntax);
        };
        match value {
            Some(value) => {
                sec.children.push(Node::Relation(Relation {
                    name: tag,
                    value,
                    is_final,
                    origin: origin.clone(),
                }));
            }
            None => {
                if self.sub.len() >= MAX_NESTING {
                    return Err(SyntaxError::TooDeep);
                }
                let idx = sec.subsection_index_or_insert(&tag);
                if is_final {
                    sec.mark_child_final(idx);
                }
                self.sub.push(idx);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Profile {
        Profile::parse_str(text, &ParseOptions::no_includes()).expect("parses")
    }

    fn syntax_err(text: &str) -> (usize, SyntaxError) {
        match Profile::parse_str(text, &ParseOptions::no_includes()) {
            Err(ConfigError::Syntax { origin, kind }) => (origin.line, kind),
            other => panic!("expected syntax error, got {other:?}"),
        }
    }

    #[test]
    fn basic_relations_and_subsections() {
        let p = parse(
            "[libdefaults]\n  default_realm = EXAMPLE.COM  \n[realms]\n EXAMPLE.COM = {\n  kdc = a\n  kdc = b\n }\n",
        );
        assert_eq!(
            p.value(&["libdefaults", "default_realm"]),
            Some("EXAMPLE.COM")
        );
        assert_eq!(p.values(&["realms", "EXAMPLE.COM", "kdc"]), vec!["a", "b"]);
        assert_eq!(p.subsection_names(&["realms"]), vec!["EXAMPLE.COM"]);
    }

    #[test]
    fn lines_before_first_section_are_ignored() {
        let p = parse("garbage without equals\nmodule foo:bar\n [x]\n[s]\na = 1\n");
        assert_eq!(p.value(&["s", "a"]), Some("1"));
        assert!(p.files()[0].root().subsection("x").is_none());
    }

    #[test]
    fn comments_only_at_line_start() {
        let p = parse("[s]\n# c\n   ; c\na = b # not a comment\nc = { # ok\nd = e\n}\n");
        assert_eq!(p.value(&["s", "a"]), Some("b # not a comment"));
        assert_eq!(p.value(&["s", "c", "d"]), Some("e"));
    }

    #[test]
    fn quoted_values_and_tags() {
        let p = parse("[s]\na = \"x y\\tz\\n\\\\\\\"q\" ignored\n\"odd tag\" = v\n");
        assert_eq!(p.value(&["s", "a"]), Some("x y\tz\n\\\"q"));
        assert_eq!(p.value(&["s", "odd tag"]), Some("v"));
    }

    #[test]
    fn brace_on_next_line() {
        let p = parse("[s]\nsub =\n  {\n a = 1\n}\n");
        assert_eq!(p.value(&["s", "sub", "a"]), Some("1"));
        assert_eq!(
            syntax_err("[s]\nsub =\n a = 1\n"),
            (3, SyntaxError::MissingOpenBrace)
        );
    }

    #[test]
    fn syntax_errors_have_line_numbers() {
        assert_eq!(
            syntax_err("[s]\na = {\n[t]\n"),
            (3, SyntaxError::SectionNotTop)
        );
        assert_eq!(syntax_err("[s]\n}\n"), (2, SyntaxError::ExtraCloseBrace));
        assert_eq!(
            syntax_err("[s]\n\nfoo bar\n"),
            (3, SyntaxError::RelationSyntax)
        );
        assert_eq!(
            syntax_err("[s]\na b = c\n"),
            (2, SyntaxError::RelationSyntax)
        );
        assert_eq!(syntax_err("[s]\n= c\n"), (2, SyntaxError::RelationSyntax));
        assert_eq!(syntax_err("[s\n"), (1, SyntaxError::SectionSyntax));
        assert_eq!(syntax_err("[]\n"), (1, SyntaxError::SectionSyntax));
        assert_eq!(syntax_err("[s] x\n"), (1, SyntaxError::SectionSyntax));
        assert_eq!(
            syntax_err("[s]\na = {x\n"),
            (2, SyntaxError::RelationSyntax)
        );
    }

    #[test]
    fn duplicate_sections_merge() {
        let p = parse("[s]\na = 1\nsub = {\nx = 1\n}\n[t]\n[s]\na = 2\nsub = {\nx = 2\n}\n");
        assert_eq!(p.values(&["s", "a"]), vec!["1", "2"]);
        assert_eq!(p.values(&["s", "sub", "x"]), vec!["1", "2"]);
        assert_eq!(p.files()[0].root().subsections().count(), 2);
    }

    #[test]
    fn final_markers() {
        let p = parse("[s]*\na* = 1\nsub* = {\n}\nsub2 = {\n}*\n");
        let root = p.files()[0].root();
        let s = root.subsection("s").unwrap();
        assert!(s.is_final());
        assert!(s.relations().next().unwrap().is_final());
        assert_eq!(s.relations().next().unwrap().name(), "a");
        assert!(s.subsection("sub").unwrap().is_final());
        assert!(s.subsection("sub2").unwrap().is_final());
    }

    #[test]
    fn nesting_limit() {
        let mut t = String::from("[s]\n");
        for _ in 0..=MAX_NESTING {
            t.push_str("a = {\n");
        }
        assert_eq!(syntax_err(&t).1, SyntaxError::TooDeep);
    }

    #[test]
    fn leading_bom_is_ignored() {
        let p = parse("\u{feff}[s]\na = b\n");
        assert_eq!(p.value(&["s", "a"]), Some("b"));
    }

    #[test]
    fn origin_display() {
        assert_eq!(Origin::default().to_string(), "<builder>");
        let o = Origin {
            file: None,
            line: 3,
        };
        assert_eq!(o.to_string(), "<string>:3");
    }

    #[test]
    fn crlf_and_no_trailing_newline() {
        let p = parse("[s]\r\na = b\r\nc = d");
        assert_eq!(p.value(&["s", "a"]), Some("b"));
        assert_eq!(p.value(&["s", "c"]), Some("d"));
    }

    #[test]
    fn include_disabled_is_error() {
        let e = Profile::parse_str("[s]\ninclude /etc/passwd\n", &ParseOptions::no_includes());
        assert!(matches!(e, Err(ConfigError::IncludeDisabled { .. })));
    }

    #[test]
    fn include_names() {
        assert!(valid_include_name("krb5-extra_1"));
        assert!(valid_include_name("x.conf"));
        assert!(!valid_include_name("x.conf~"));
        assert!(!valid_include_name("x.rpmsave"));
        assert!(!valid_include_name(".hidden"));
    }
}
