//! The scripts the page runs to find what to click and to ready a field for typing,
//! each a JavaScript function called with its arguments quoted by [`js_string`].

use anyhow::Context;

/// Finds the element, scrolls it into view and returns the middle of it, failing
/// with a sentence when a person could not click it there.
pub(super) const CLICK_POINT: &str = r#"(selector) => {
    const element = document.querySelector(selector);
    if (!element) throw new Error(`nothing matches ${selector}`);
    element.scrollIntoView({ block: 'center', inline: 'center' });
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) throw new Error(`${selector} is not visible`);
    const x = box.left + box.width / 2;
    const y = box.top + box.height / 2;
    const top = document.elementFromPoint(x, y);
    if (!top || !(top === element || element.contains(top))) {
        const what = top ? top.outerHTML.slice(0, 80) : 'nothing';
        throw new Error(`${selector} is covered by ${what}`);
    }
    return { x, y };
}"#;

/// Focuses and empties a field, returning true for the text to be typed; picks a
/// `<select>`'s option itself, returning false.
pub(super) const FOCUS_FIELD: &str = r#"(selector, value) => {
    const element = document.querySelector(selector);
    if (!element) throw new Error(`nothing matches ${selector}`);
    if (element.disabled || element.readOnly) throw new Error(`${selector} is disabled or read-only`);
    if (element instanceof HTMLSelectElement) {
        if (![...element.options].some((option) => option.value === value)) {
            throw new Error(`${selector} has no option of value ${value}`);
        }
        element.value = value;
        element.dispatchEvent(new Event('input', { bubbles: true }));
        element.dispatchEvent(new Event('change', { bubbles: true }));
        return false;
    }
    const typed = ['text', 'password', 'email', 'search', 'tel', 'url', 'number', 'date',
        'datetime-local', 'time', 'month', 'week'];
    if (!(element instanceof HTMLTextAreaElement
        || (element instanceof HTMLInputElement && typed.includes(element.type)))) {
        throw new Error(`${selector} is not a field to type into: ${element.outerHTML.slice(0, 80)}`);
    }
    element.focus();
    element.value = '';
    return true;
}"#;

/// `text` as a JavaScript string literal (JSON's are JavaScript's).
pub(super) fn js_string(text: &str) -> anyhow::Result<String> {
    serde_json::to_string(text).context("quoting a string for the page's script")
}
