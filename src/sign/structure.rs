//! The signature in a tagged PDF: the widget joins the structure tree as a `Form` element
//! (an object reference under the document's top element, its `/StructParent` in the
//! parent tree), with a name for readers (`/TU`, `/Contents`), and the page's tab order
//! follows the structure (`/Tabs /S`), as PDF/UA-1 asks of every annotation. An untagged
//! PDF gets the name only. Nothing of the existing tree is dropped: its objects are
//! rewritten with one more entry each.

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::SignError;
use super::incremental::{
    Appender, dictionary_entry, invalid_pdf, name, store_dictionary, text_string,
};

/// Tags `widget` (object `widget_id` on page `page_id`): sets its name and, when the
/// document has a structure tree, writes the `Form` element and the updated tree objects.
/// `alloc` gives new object ids.
#[allow(clippy::too_many_arguments, reason = "the update's pieces, all needed")]
pub(super) fn tag_widget(
    doc: &Document,
    ap: &mut Appender,
    alloc: &mut dyn FnMut() -> ObjectId,
    catalog: &Dictionary,
    widget: &mut Dictionary,
    widget_id: ObjectId,
    page: &mut Dictionary,
    page_id: ObjectId,
    signer: &str,
) -> Result<(), SignError> {
    let label = format!("电子签名：{signer}（Digital signature of {signer}）");
    widget.set("TU", text_string(&label));
    widget.set("Contents", text_string(&label));
    let Ok(Object::Reference(root_id)) = catalog.get(b"StructTreeRoot") else {
        return Ok(());
    };
    let root_id = *root_id;
    let mut root = doc
        .get_dictionary(root_id)
        .map_err(|e| invalid_pdf(format!("/StructTreeRoot: {e}")))?
        .clone();
    let (mut tree, tree_id) = dictionary_entry(doc, &root, b"ParentTree", "/ParentTree")?;
    if tree.has(b"Kids") {
        // A parent tree of several levels: left as it is (the widget keeps its name).
        return Ok(());
    }
    let mut nums = match tree.get(b"Nums") {
        Ok(Object::Array(a)) => a.clone(),
        Ok(Object::Reference(id)) => doc
            .get_object(*id)
            .and_then(Object::as_array)
            .map_err(|e| invalid_pdf(format!("/ParentTree /Nums: {e}")))?
            .clone(),
        _ => Vec::new(),
    };
    let used = nums.iter().step_by(2).filter_map(|k| k.as_i64().ok()).max();
    let next = root.get(b"ParentTreeNextKey").and_then(Object::as_i64).ok();
    let key = next.unwrap_or(0).max(used.map_or(0, |u| u + 1));

    // The element the Form goes under: the tree's one top element (krilla's Document),
    // or the root itself.
    let only = match root.get(b"K") {
        Ok(Object::Reference(id)) => Some(*id),
        Ok(Object::Array(a)) if a.len() == 1 => a[0].as_reference().ok(),
        _ => None,
    };
    let top = only.and_then(|id| {
        doc.get_dictionary(id).ok().filter(|d| d.has(b"S")).map(|d| (id, d.clone()))
    });
    let form_id = alloc();
    let mut objr = Dictionary::new();
    objr.set("Type", name("OBJR"));
    objr.set("Obj", Object::Reference(widget_id));
    objr.set("Pg", Object::Reference(page_id));
    let mut form = Dictionary::new();
    form.set("Type", name("StructElem"));
    form.set("S", name("Form"));
    form.set("P", Object::Reference(top.as_ref().map_or(root_id, |t| t.0)));
    form.set("K", objr);
    form.set("Alt", text_string(&label));
    ap.plain(form_id, &Object::Dictionary(form))?;
    match top {
        Some((top_id, mut top)) => {
            push_kid(&mut top, form_id);
            ap.plain(top_id, &Object::Dictionary(top))?;
        }
        None => push_kid(&mut root, form_id),
    }

    nums.push(Object::Integer(key));
    nums.push(Object::Reference(form_id));
    tree.set("Nums", nums);
    store_dictionary(ap, &mut root, "ParentTree", tree, tree_id)?;
    root.set("ParentTreeNextKey", key + 1);
    ap.plain(root_id, &Object::Dictionary(root))?;
    widget.set("StructParent", key);
    page.set("Tabs", name("S"));
    Ok(())
}

/// Appends `kid` to an element's `/K`, which may be absent, one kid, or an array.
fn push_kid(element: &mut Dictionary, kid: ObjectId) {
    let kids = match element.get(b"K") {
        Ok(Object::Array(a)) => {
            let mut a = a.clone();
            a.push(Object::Reference(kid));
            a
        }
        Ok(one) => vec![one.clone(), Object::Reference(kid)],
        Err(_) => vec![Object::Reference(kid)],
    };
    element.set("K", kids);
}
