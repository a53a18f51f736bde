//! An edition of the official format, read from `templates/formats/*.yaml`.

use super::lexicon::{AuditData, ImportData};
use super::{boolean, float, map, opt_string, parse_template, req, seq, string, uint};
use crate::diag::Code;
use crate::source::Node;

/// One edition of the official format.
#[derive(Debug, Clone)]
pub struct Format {
    /// Edition year (2021).
    pub edition: u32,
    /// Full official name of the format document.
    pub name: String,
    /// Default title pattern with `{unit}` and `{year}`.
    pub title: String,
    /// The numbered sections in order.
    pub sections: Vec<SectionDef>,
    /// The tables.
    pub tables: Vec<TableDef>,
    /// The consistency rules (勾稽关系).
    pub rules: Vec<RuleDef>,
    /// What to do when a rule fails, by rule code (`hint:` of each rule).
    pub rule_hints: Vec<(Code, String)>,
    /// Records a township (乡/镇/街道) cannot have a non-zero number in (W-P2).
    pub township_zero: Vec<TownshipZero>,
    /// How prose names the tables' rows and columns (`audit:`).
    pub audit: AuditData,
    /// How published reports print the tables (`import:`).
    pub import: ImportData,
}

/// A record that must be zero for a township (乡镇街道 make no 规章).
#[derive(Debug, Clone)]
pub struct TownshipZero {
    /// Table key.
    pub table: String,
    /// Record key.
    pub record: String,
    /// What to do instead.
    pub hint: String,
}

/// One numbered section.
#[derive(Debug, Clone)]
pub struct SectionDef {
    /// YAML key.
    pub key: String,
    /// Chinese numeral (`一`).
    pub number: String,
    /// Title without its number.
    pub title: String,
    /// Key of the table the section carries.
    pub table: Option<String>,
    /// Sub-headings `nianbao init` writes into the section's skeleton.
    pub skeleton_headings: Vec<String>,
}

impl SectionDef {
    /// The heading as printed: `一、总体情况`.
    pub fn heading(&self) -> String {
        format!("{}、{}", self.number, self.title)
    }
}

/// What a one-number record holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarKind {
    /// A whole count.
    Count,
    /// A decimal amount kept as written.
    Decimal,
}

/// One record a unit fills in.
#[derive(Debug, Clone)]
pub struct RecordDef {
    /// Dotted key (`withheld.state_secret`).
    pub key: String,
    /// Official label used in messages (`三（三）1.属于国家秘密`).
    pub label: String,
    /// Indices of the table's fields this record has (empty for scalars).
    pub fields: Vec<usize>,
    /// Set for one-number records.
    pub scalar: Option<ScalarKind>,
    /// Computed by the rules; a user value is only checked.
    pub computed: bool,
}

/// One official table.
#[derive(Debug, Clone)]
pub struct TableDef {
    /// YAML key of the table section.
    pub key: String,
    /// Whether records may be written as a list in field order.
    pub list_form: bool,
    /// Label of the total column, when records have a total.
    pub total_label: Option<String>,
    /// Field keys and their official labels, in column order.
    pub fields: Vec<(String, String)>,
    /// Records in order.
    pub records: Vec<RecordDef>,
    /// The printed grid.
    pub grid: GridDef,
}

impl TableDef {
    /// Index of a record by key.
    pub fn record_index(&self, key: &str) -> Option<usize> {
        self.records.iter().position(|r| r.key == key)
    }

    /// The stable key of the number a grid cell prints (`applications.received.business`,
    /// `applications.received.total`, `proactive.licensing`): the keys of batch's
    /// `summary.csv`, the HTML page's `data-key` and the form's inputs.
    pub fn cell_key(&self, record: usize, field: FieldRef) -> String {
        let rkey = format!("{}.{}", self.key, self.records[record].key);
        match field {
            FieldRef::Scalar => rkey,
            FieldRef::Total => format!("{rkey}.total"),
            FieldRef::Field(f) => format!("{rkey}.{}", self.fields[f].0),
        }
    }

    /// The label printed in the record's grid row (`规章`, `（一）予以公开`): the row's last
    /// text cell that is not a header, or the record's label when its row has none.
    pub fn row_label(&self, record: usize) -> &str {
        self.grid
            .rows
            .iter()
            .find(|row| {
                row.iter().any(
                    |c| matches!(c.content, CellContent::Value { record: r, .. } if r == record),
                )
            })
            .and_then(|row| {
                row.iter().rev().find_map(|c| match &c.content {
                    CellContent::Text(t) if !c.head => Some(t.as_str()),
                    _ => None,
                })
            })
            .unwrap_or(&self.records[record].label)
    }

    /// Record indices matching a pattern: an exact key or `group.*`.
    fn record_pattern(&self, pattern: &str) -> Result<Vec<usize>, String> {
        let found: Vec<usize> = match pattern.strip_suffix(".*") {
            Some(prefix) => self
                .records
                .iter()
                .enumerate()
                .filter(|(_, r)| r.key.strip_prefix(prefix).is_some_and(|s| s.starts_with('.')))
                .map(|(i, _)| i)
                .collect(),
            None => self.record_index(pattern).into_iter().collect(),
        };
        if found.is_empty() {
            return Err(format!("table {}: no record matches `{pattern}`", self.key));
        }
        Ok(found)
    }
}

/// Which number of a record a grid cell prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldRef {
    /// The field with this index in the table's fields.
    Field(usize),
    /// The record's total (computed).
    Total,
    /// A one-number record's value.
    Scalar,
}

/// What a grid cell holds.
#[derive(Debug, Clone, PartialEq)]
pub enum CellContent {
    /// A printed label.
    Text(String),
    /// A number from the report.
    Value {
        /// Record index in the table.
        record: usize,
        /// Which number.
        field: FieldRef,
    },
}

/// A cell of the printed grid (covered cells of a merge are not listed).
#[derive(Debug, Clone, PartialEq)]
pub struct GridCell {
    /// Content.
    pub content: CellContent,
    /// Columns spanned.
    pub colspan: usize,
    /// Rows spanned.
    pub rowspan: usize,
    /// A header label (set in the heading font).
    pub head: bool,
}

/// The printed grid of a table.
#[derive(Debug, Clone)]
pub struct GridDef {
    /// Relative column widths.
    pub widths: Vec<f64>,
    /// How many top rows are repeated when the table crosses a page.
    pub header_rows: usize,
    /// Rows of cells.
    pub rows: Vec<Vec<GridCell>>,
}

/// A consistency rule.
#[derive(Debug, Clone)]
pub enum RuleDef {
    /// Every record's 总计 equals the sum of its fields.
    RowTotal {
        /// Diagnostic code.
        code: Code,
        /// Table index.
        table: usize,
    },
    /// The `total` record equals the sum of the `parts` records, field by field.
    ColumnSum {
        /// Diagnostic code.
        code: Code,
        /// Table index.
        table: usize,
        /// The total record.
        total: usize,
        /// The part records.
        parts: Vec<usize>,
    },
    /// Sum of `left` records equals sum of `right` records, in every column.
    Balance {
        /// Diagnostic code.
        code: Code,
        /// Table index.
        table: usize,
        /// Left records.
        left: Vec<usize>,
        /// Right records.
        right: Vec<usize>,
        /// Label of the left side (`一+二`).
        left_label: String,
        /// Label of the right side (`三（七）总计+四`).
        right_label: String,
    },
}

impl RuleDef {
    /// The rule's diagnostic code.
    pub fn code(&self) -> Code {
        match self {
            RuleDef::RowTotal { code, .. }
            | RuleDef::ColumnSum { code, .. }
            | RuleDef::Balance { code, .. } => *code,
        }
    }
}

impl Format {
    /// Reads a format from its YAML text.
    pub fn from_yaml(text: &str) -> Result<Format, String> {
        let root = parse_template(text)?;
        let tables_node = map(req(&root, "tables")?)?;
        let mut tables = Vec::new();
        for (key, node) in tables_node {
            tables.push(parse_table(string(key)?, node)?);
        }
        let mut sections = Vec::new();
        for node in seq(req(&root, "sections")?)? {
            let table = opt_string(node, "table")?;
            if let Some(t) = &table
                && !tables.iter().any(|d| &d.key == t)
            {
                return Err(format!("line {}: unknown table `{t}`", node.span.line));
            }
            let skeleton_headings = match node.get("skeleton_headings") {
                None => Vec::new(),
                Some(list) => seq(list)?.iter().map(string).collect::<Result<_, _>>()?,
            };
            sections.push(SectionDef {
                key: string(req(node, "key")?)?,
                number: string(req(node, "number")?)?,
                title: string(req(node, "title")?)?,
                table,
                skeleton_headings,
            });
        }
        let mut rules = Vec::new();
        let mut rule_hints = Vec::new();
        for node in seq(req(&root, "rules")?)? {
            let rule = parse_rule(node, &tables)?;
            if let Some(hint) = opt_string(node, "hint")? {
                rule_hints.push((rule.code(), hint));
            }
            rules.push(rule);
        }
        let mut township_zero = Vec::new();
        if let Some(checks) = root.get("checks")
            && let Some(list) = checks.get("township_zero")
        {
            for node in seq(list)? {
                let key = string(req(node, "record")?)?;
                let (table, record) = key
                    .split_once('.')
                    .filter(|(t, r)| {
                        tables.iter().any(|d| d.key == *t && d.record_index(r).is_some())
                    })
                    .ok_or_else(|| format!("line {}: unknown record `{key}`", node.span.line))?;
                township_zero.push(TownshipZero {
                    table: table.to_string(),
                    record: record.to_string(),
                    hint: string(req(node, "hint")?)?,
                });
            }
        }
        let audit = AuditData::parse(req(&root, "audit")?, &tables)?;
        let import = ImportData::parse(req(&root, "import")?, &tables)?;
        Ok(Format {
            audit,
            import,
            edition: uint(req(&root, "edition")?)? as u32,
            name: string(req(&root, "name")?)?,
            title: string(req(&root, "title")?)?,
            sections,
            tables,
            rules,
            rule_hints,
            township_zero,
        })
    }

    /// The sections that carry a table, in order, each with its table's index in
    /// [`Format::tables`].
    pub fn section_tables(&self) -> impl Iterator<Item = (&SectionDef, usize)> {
        self.sections.iter().filter_map(|s| {
            let key = s.table.as_ref()?;
            Some((s, self.tables.iter().position(|t| &t.key == key)?))
        })
    }

    /// A table by key.
    pub fn table(&self, key: &str) -> Option<&TableDef> {
        self.tables.iter().find(|t| t.key == key)
    }

    /// The format's hint for a failed rule.
    pub fn rule_hint(&self, code: Code) -> Option<&str> {
        self.rule_hints.iter().find(|(c, _)| *c == code).map(|(_, h)| h.as_str())
    }
}

fn parse_table(key: String, node: &Node) -> Result<TableDef, String> {
    let mut fields = Vec::new();
    for (k, v) in map(req(node, "fields")?)? {
        fields.push((string(k)?, string(v)?));
    }
    let mut records = Vec::new();
    for rec in seq(req(node, "records")?)? {
        let scalar = match opt_string(rec, "scalar")?.as_deref() {
            None => None,
            Some("count") => Some(ScalarKind::Count),
            Some("decimal") => Some(ScalarKind::Decimal),
            Some(other) => return Err(format!("line {}: unknown scalar `{other}`", rec.span.line)),
        };
        let field_idx = match (rec.get("fields"), scalar) {
            (_, Some(_)) => Vec::new(),
            (None, None) => (0..fields.len()).collect(),
            (Some(list), None) => seq(list)?
                .iter()
                .map(|f| {
                    let name = string(f)?;
                    fields
                        .iter()
                        .position(|(k, _)| *k == name)
                        .ok_or_else(|| format!("line {}: unknown field `{name}`", f.span.line))
                })
                .collect::<Result<_, _>>()?,
        };
        records.push(RecordDef {
            key: string(req(rec, "key")?)?,
            label: string(req(rec, "label")?)?,
            fields: field_idx,
            scalar,
            computed: boolean(rec, "computed")?,
        });
    }
    let mut table = TableDef {
        key,
        list_form: boolean(node, "list_form")?,
        total_label: opt_string(node, "total")?,
        fields,
        records,
        grid: GridDef { widths: Vec::new(), header_rows: 0, rows: Vec::new() },
    };
    table.grid = parse_grid(req(node, "grid")?, &table)?;
    Ok(table)
}

fn parse_grid(node: &Node, table: &TableDef) -> Result<GridDef, String> {
    let widths: Vec<f64> =
        seq(req(node, "widths")?)?.iter().map(float).collect::<Result<_, _>>()?;
    let header_rows = uint(req(node, "header_rows")?)? as usize;
    let mut rows = Vec::new();
    for row in seq(req(node, "rows")?)? {
        let mut cells = Vec::new();
        for cell in seq(row)? {
            let colspan = cell.get("colspan").map(uint).transpose()?.unwrap_or(1) as usize;
            let rowspan = cell.get("rowspan").map(uint).transpose()?.unwrap_or(1) as usize;
            let head = boolean(cell, "head")?;
            if let Some(text) = opt_string(cell, "text")? {
                cells.push(GridCell { content: CellContent::Text(text), colspan, rowspan, head });
            } else if let Some(value) = opt_string(cell, "value")? {
                let (record, field) = resolve_ref(table, &value)
                    .ok_or_else(|| format!("line {}: unknown value `{value}`", cell.span.line))?;
                cells.push(GridCell {
                    content: CellContent::Value { record, field },
                    colspan,
                    rowspan,
                    head,
                });
            } else if let Some(rec_key) = opt_string(cell, "values")? {
                let record = table.record_index(&rec_key).ok_or_else(|| {
                    format!("line {}: unknown record `{rec_key}`", cell.span.line)
                })?;
                for &f in &table.records[record].fields {
                    let content = CellContent::Value { record, field: FieldRef::Field(f) };
                    cells.push(GridCell { content, colspan: 1, rowspan, head });
                }
                if table.total_label.is_some() {
                    let content = CellContent::Value { record, field: FieldRef::Total };
                    cells.push(GridCell { content, colspan: 1, rowspan, head });
                }
            } else {
                return Err(format!("line {}: a cell needs text, value or values", cell.span.line));
            }
        }
        rows.push(cells);
    }
    place_cells(&rows, widths.len())?;
    Ok(GridDef { widths, header_rows, rows })
}

/// Resolves `record`, `record.field` or `record.total`.
fn resolve_ref(table: &TableDef, text: &str) -> Option<(usize, FieldRef)> {
    if let Some(i) = table.record_index(text) {
        return table.records[i].scalar.map(|_| (i, FieldRef::Scalar));
    }
    let (rec, field) = text.rsplit_once('.')?;
    let i = table.record_index(rec)?;
    if field == "total" {
        return Some((i, FieldRef::Total));
    }
    let f = table.fields.iter().position(|(k, _)| k == field)?;
    Some((i, FieldRef::Field(f)))
}

/// Places the cells of a grid: the starting column of every cell, row by row.
/// Every row must cover exactly `columns` grid columns once merges are counted.
pub fn place_cells(rows: &[Vec<GridCell>], columns: usize) -> Result<Vec<Vec<usize>>, String> {
    let mut covered = vec![vec![false; columns]; rows.len()];
    let mut placed = Vec::with_capacity(rows.len());
    for (r, row) in rows.iter().enumerate() {
        let mut c = 0;
        let mut starts = Vec::with_capacity(row.len());
        for cell in row {
            while c < columns && covered[r][c] {
                c += 1;
            }
            if c + cell.colspan > columns || r + cell.rowspan > rows.len() {
                return Err(format!("grid row {}: cell does not fit", r + 1));
            }
            for (rr, line) in covered.iter_mut().enumerate().skip(r).take(cell.rowspan) {
                for slot in &mut line[c..c + cell.colspan] {
                    if *slot {
                        return Err(format!("grid row {}: cells overlap", rr + 1));
                    }
                    *slot = true;
                }
            }
            starts.push(c);
            c += cell.colspan;
        }
        if covered[r].iter().any(|&x| !x) {
            return Err(format!("grid row {}: not every column is covered", r + 1));
        }
        placed.push(starts);
    }
    Ok(placed)
}

fn parse_rule(node: &Node, tables: &[TableDef]) -> Result<RuleDef, String> {
    let code = match string(req(node, "code")?)?.as_str() {
        "E-R1" => Code::RowTotal,
        "E-R2" => Code::ColumnTotal,
        "E-R3" => Code::Balance,
        "E-R4" => Code::GroupTotal,
        other => {
            return Err(format!("line {}: unknown rule code `{other}`", node.span.line));
        }
    };
    let table_key = string(req(node, "table")?)?;
    let table = tables
        .iter()
        .position(|t| t.key == table_key)
        .ok_or_else(|| format!("line {}: unknown table `{table_key}`", node.span.line))?;
    let def = &tables[table];
    let records = |key: &str| -> Result<Vec<usize>, String> {
        let mut out = Vec::new();
        for p in seq(req(node, key)?)? {
            out.extend(def.record_pattern(&string(p)?)?);
        }
        Ok(out)
    };
    match string(req(node, "kind")?)?.as_str() {
        "row_total" => Ok(RuleDef::RowTotal { code, table }),
        "column_sum" => Ok(RuleDef::ColumnSum {
            code,
            table,
            total: def.record_pattern(&string(req(node, "total")?)?)?[0],
            parts: records("parts")?,
        }),
        "balance" => Ok(RuleDef::Balance {
            code,
            table,
            left: records("left")?,
            right: records("right")?,
            left_label: string(req(node, "left_label")?)?,
            right_label: string(req(node, "right_label")?)?,
        }),
        other => Err(format!("line {}: unknown rule kind `{other}`", node.span.line)),
    }
}

#[cfg(test)]
mod tests {
    use crate::template::bundled_format;

    #[test]
    fn bundled_2021_has_the_official_shape() {
        let f = bundled_format(2021).unwrap();
        assert_eq!(f.sections.len(), 6);
        let apps = f.table("applications").unwrap();
        assert_eq!(apps.records.len(), 25);
        assert_eq!(apps.grid.rows.len(), 28);
        assert_eq!(apps.grid.widths.len(), 10);
        let values = apps
            .grid
            .rows
            .iter()
            .flatten()
            .filter(|c| matches!(c.content, super::CellContent::Value { .. }))
            .count();
        assert_eq!(values, 175, "25 rows × 7 columns of numbers");
        let reviews = f.table("reviews_lawsuits").unwrap();
        assert_eq!(reviews.grid.rows[3].len(), 15);
        assert_eq!(f.rules.len(), 4);
    }

    /// The `audit:` and `import:` sections are checked when the edition loads: a word list
    /// the code reads cannot be missing, a list it does not read cannot be named, and rows,
    /// fields and aliases must name the edition's records.
    #[test]
    fn edition_wording_is_checked_on_load() {
        let text = include_str!("../../templates/formats/2021.yaml");
        let broken = |from: &str, to: &str| {
            assert!(text.contains(from), "{from}");
            super::Format::from_yaml(&text.replacen(from, to, 1)).unwrap_err()
        };
        assert!(broken("    comparison:", "    comparisons:").contains("unknown word list"));
        assert!(broken("    page_chrome:", "    chrome:").contains("unknown word list"));
        assert!(
            broken("    copula: [为, 是, 系, 属]\n", "").contains("missing word list `copula`")
        );
        assert!(broken("row: unable.not_held}", "row: unable.not_hold}").contains("unknown row"));
        assert!(broken("field: pending}", "field: pendng}").contains("unknown field"));
        assert!(
            broken("aliases: {}", "aliases: {applications.nothing: [x]}")
                .contains("unknown record")
        );
        assert!(broken("{equals: 申请人情况}", "{max_bytes: 3}").contains("needs a text"));
        let f = bundled_format(2021).unwrap();
        assert_eq!(f.audit.results.len(), 15);
        assert_eq!(f.import.anchors.len(), 3);
    }
}
