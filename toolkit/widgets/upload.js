// The front-end of toolkit.widgets.upload.SizedUpload (an anywidget module).
//
// It looks and behaves like ipywidgets' FileUpload button, with two differences.  A chosen file
// larger than `max_size` is never read nor sent: its name and size go to the kernel in `refused`
// (a few bytes), and the kernel says so in the form.  A file within the limit is sent in chunks of
// CHUNK bytes over the widget's comm (the way download.js receives files), at most WINDOW of them
// unanswered; the kernel answers each with how much it holds, and the status line beside the button
// says so ("Uploading x.json: 12.0 of 40.1 MB (29 %)…") from the moment the file is chosen.  The
// kernel puts the file into `value` once every byte is there.  Text from a file (its name) is only
// ever set as textContent.

const STYLES = { primary: "mod-primary", success: "mod-success", info: "mod-info", warning: "mod-warning", danger: "mod-danger" };
const CHUNK = 1048576;
const WINDOW = 4;

function mb(n) {
  return n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${n.toLocaleString("en")} bytes`;
}

function render({ model, el }) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "jupyter-widgets jupyter-button widget-upload";
  const input = document.createElement("input");
  input.type = "file";
  input.style.display = "none";
  const status = document.createElement("span");
  status.className = "ctk-upload-status";
  status.style.margin = "0 6px";
  status.style.alignSelf = "center";
  status.style.whiteSpace = "nowrap";
  status.dataset.state = "idle";
  button.style.width = "auto"; // sized by its label, or fills a width given in the layout
  button.style.flex = "1 1 auto";
  el.style.display = "flex";
  el.classList.add("ctk-upload");
  el.append(button, input, status);

  const view = Math.random().toString(36).slice(2); // several views of one widget each send their own file
  let asked = 0;
  let job = null; // the upload under way: {id, files, name, total, index, offset, sent, acked, reading}

  function say(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }
  function progress(current) {
    const percent = current.total > 0 ? Math.floor((100 * current.acked) / current.total) : 100;
    const done = current.total >= 1048576 ? (current.acked / 1048576).toFixed(1) : current.acked.toLocaleString("en");
    say("uploading", `Uploading ${current.name}: ${done} of ${mb(current.total)} (${percent} %)…`);
  }
  function fail(current, text) {
    if (job !== current) return;
    job = null;
    say("error", text);
  }

  // Reads and sends chunks, in order, while fewer than WINDOW of them wait for the kernel's answer.
  async function pump(current) {
    if (current.reading) return;
    current.reading = true;
    try {
      while (job === current && current.index < current.files.length && current.sent - current.acked < WINDOW * CHUNK) {
        const file = current.files[current.index];
        if (current.offset >= file.size) {
          current.index += 1;
          current.offset = 0;
          continue;
        }
        const end = Math.min(file.size, current.offset + CHUNK);
        const buffer = await file.slice(current.offset, end).arrayBuffer();
        if (job !== current) return;
        model.send({ event: "chunk", id: current.id, index: current.index, offset: current.offset }, undefined, [buffer]);
        current.sent += buffer.byteLength;
        current.offset = end;
      }
    } catch (err) {
      const name = String(err && err.name ? err.name : err);
      model.set("error", name);
      model.save_changes();
      model.send({ event: "cancel", id: current.id });
      fail(current, `Could not read ${current.name} (${name}); choose it again.`);
    } finally {
      current.reading = false;
    }
  }

  function onMessage(msg) {
    if (!msg || job === null || msg.id !== job.id) return;
    const current = job;
    if (msg.event === "progress") {
      current.acked = Number(msg.received) || 0;
      progress(current);
      pump(current);
    } else if (msg.event === "done") {
      job = null;
      say("done", ""); // the button names the file now
    } else if (msg.event === "error") {
      fail(current, String(msg.message || "The upload stopped; choose the file again."));
    } else if (msg.event === "cancelled") {
      job = null;
      say("idle", "");
    }
  }

  button.addEventListener("click", () => input.click());
  input.addEventListener("click", (event) => {
    event.stopPropagation();
    input.value = ""; // choosing the same file again is a new choice
  });
  input.addEventListener("change", () => {
    const files = Array.from(input.files || []);
    if (files.length === 0) return;
    job = null; // a new choice ends the one under way (the kernel drops it when the new one begins)
    const limit = model.get("max_size");
    const big = limit > 0 ? files.find((file) => file.size > limit) : undefined;
    if (big !== undefined) {
      input.value = ""; // nothing of it is kept, read or sent
      say("idle", "");
      model.set("value", []);
      model.set("error", "");
      model.set("refused", { name: big.name, size: big.size });
      model.save_changes();
      return;
    }
    asked += 1;
    const total = files.reduce((sum, file) => sum + file.size, 0);
    const name = files.length === 1 ? files[0].name : `${files.length} files`;
    job = { id: `${view}:${asked}`, files, name, total, index: 0, offset: 0, sent: 0, acked: 0, reading: false };
    progress(job); // at once, before any byte travels
    model.set("error", "");
    model.save_changes();
    const meta = files.map((file) => ({ name: file.name, type: file.type, size: file.size, last_modified: file.lastModified }));
    model.send({ event: "begin", id: job.id, files: meta });
    pump(job);
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
  model.on("msg:custom", onMessage);
  update();
  return () => {
    job = null;
    for (const name of names) model.off(`change:${name}`, update);
    model.off("msg:custom", onMessage);
  };
}

export default { render };
