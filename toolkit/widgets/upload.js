// The front-end of toolkit.widgets.upload.SizedUpload (an anywidget module).
//
// It looks and behaves like ipywidgets' FileUpload button, with one difference:
// a chosen file larger than `max_size` is never read nor sent.  Its name and
// size go to the kernel in `refused` (a few bytes), and the kernel says so in
// the form.  Text from a file (its name) is only ever set as textContent.

const STYLES = { primary: "mod-primary", success: "mod-success", info: "mod-info", warning: "mod-warning", danger: "mod-danger" };

function readFile(file) {
  return file.arrayBuffer().then((content) => ({
    content,
    name: file.name,
    type: file.type,
    size: file.size,
    last_modified: file.lastModified,
  }));
}

function render({ model, el }) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "jupyter-widgets jupyter-button widget-upload";
  const input = document.createElement("input");
  input.type = "file";
  input.style.display = "none";
  button.style.width = "auto"; // sized by its label, or fills a width given in the layout
  button.style.flex = "1 1 auto";
  el.style.display = "flex";
  el.classList.add("ctk-upload");
  el.append(button, input);

  button.addEventListener("click", () => input.click());
  input.addEventListener("click", (event) => {
    event.stopPropagation();
    input.value = ""; // choosing the same file again is a new choice
  });
  input.addEventListener("change", () => {
    const files = Array.from(input.files || []);
    if (files.length === 0) return;
    const limit = model.get("max_size");
    const big = limit > 0 ? files.find((file) => file.size > limit) : undefined;
    if (big !== undefined) {
      input.value = ""; // nothing of it is kept, read or sent
      model.set("value", []);
      model.set("error", "");
      model.set("refused", { name: big.name, size: big.size });
      model.save_changes();
      return;
    }
    model.set("refused", {});
    model.save_changes();
    Promise.all(files.map(readFile))
      .then((value) => {
        model.set("value", value);
        model.set("error", "");
        model.save_changes();
      })
      .catch((err) => {
        model.set("error", String(err && err.name ? err.name : err));
        model.save_changes();
      });
  });

  function update() {
    button.disabled = model.get("disabled");
    const icon = model.get("icon");
    const label = `${model.get("description")} (${model.get("value").length})`;
    button.textContent = "";
    if (icon) {
      const i = document.createElement("i");
      i.classList.add("fa", `fa-${icon}`);
      button.appendChild(i);
    }
    button.appendChild(document.createTextNode(label));
    for (const name of Object.values(STYLES)) button.classList.remove(name);
    const style = STYLES[model.get("button_style")];
    if (style) button.classList.add(style);
    input.accept = model.get("accept");
    input.multiple = model.get("multiple");
    if (model.get("value").length === 0) input.value = "";
  }
  const names = ["description", "value", "disabled", "icon", "accept", "multiple", "button_style"];
  for (const name of names) model.on(`change:${name}`, update);
  update();
  return () => {
    for (const name of names) model.off(`change:${name}`, update);
  };
}

export default { render };
