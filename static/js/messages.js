// The sentences scripts say, in the page's language: the server renders them into
// <body data-messages> (workspace/jsmessages.py). `%(name)s` and `%(num)d` are filled
// here; a plural message holds one text per plural category of the page's language.
let table = null;

function messages() {
  if (table === null) {
    try {
      table = JSON.parse(document.body.dataset.messages || "{}");
    } catch {
      table = {};
    }
  }
  return table;
}

export function message(key, values = {}) {
  let text = messages()[key] ?? "";
  if (typeof text === "object") {
    const lang = document.documentElement.lang || "en";
    const category = new Intl.PluralRules(lang).select(Number(values.num ?? 0));
    text = text[category] ?? text.other ?? Object.values(text)[0] ?? "";
  }
  return text.replace(/%\((\w+)\)[sd]/g, (_match, name) => String(values[name] ?? "")).replace(/%%/g, "%");
}
