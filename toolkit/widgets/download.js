// The front-end of toolkit.widgets.downloads.Downloads (an anywidget module).
//
// One button per file the kernel offers.  A click says "Preparing…" at once and asks the kernel for
// that file; the kernel sends it over the widget's comm as binary chunks (never into the widget's
// state, so nothing of it is saved with a notebook).  The chunks become a Blob that the browser saves
// under the offered name; a "save again" link keeps it until the view goes.  Text is only ever set as
// textContent.

function mb(n) {
  return n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${n.toLocaleString("en")} bytes`;
}

function render({ model, el }) {
  el.classList.add("ctk-download");
  el.style.display = "flex";
  el.style.flexWrap = "wrap";
  el.style.alignItems = "center";
  el.style.gap = "4px";
  const buttons = document.createElement("span");
  buttons.style.display = "contents";
  const status = document.createElement("span");
  status.className = "ctk-download-status";
  status.style.marginLeft = "6px";
  status.dataset.state = "idle";
  const again = document.createElement("a");
  again.className = "ctk-saved";
  again.style.display = "none";
  again.style.marginLeft = "6px";
  el.append(buttons, status, again);

  let url = null;
  const view = Math.random().toString(36).slice(2); // several views of one widget each take their own file
  let asked = 0;
  let want = ""; // the request whose chunks are taken; older ones are ignored
  let parts = [];
  let got = 0;
  let clicked = 0;

  function say(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }
  function forget() {
    if (url !== null) URL.revokeObjectURL(url);
    url = null;
    again.style.display = "none";
    again.removeAttribute("href");
  }

  function draw() {
    buttons.textContent = "";
    for (const offer of model.get("offers")) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "jupyter-widgets jupyter-button widget-button ctk-download-button";
      b.dataset.key = offer.key;
      b.disabled = model.get("disabled");
      const i = document.createElement("i");
      i.classList.add("fa", "fa-download");
      b.append(i, document.createTextNode(" " + offer.label));
      b.title = offer.filename;
      b.style.width = "auto";
      b.addEventListener("click", () => {
        asked += 1;
        want = `${view}:${asked}`;
        parts = [];
        got = 0;
        clicked = performance.now();
        el.dataset.firstByteMs = "";
        el.dataset.savedMs = "";
        forget();
        say("preparing", `Preparing ${offer.filename}…`);
        model.send({ event: "request", key: offer.key, id: want });
      });
      buttons.append(b);
    }
    if (model.get("offers").length === 0) {
      forget();
      say("idle", "");
    } else {
      // the buttons exist now: the kernel may say "ready" (never before there is something to press)
      model.send({ event: "shown" });
    }
  }

  function onMessage(msg, buffers) {
    if (!msg || msg.id !== want) return;
    if (msg.event === "start") {
      say("receiving", `Receiving ${msg.filename}: 0 of ${mb(msg.size)}…`);
    } else if (msg.event === "chunk") {
      if (got === 0) el.dataset.firstByteMs = String(Math.round(performance.now() - clicked));
      for (const buffer of buffers) {
        parts.push(buffer);
        got += buffer.byteLength;
      }
      say("receiving", `Receiving ${msg.filename}: ${mb(got)} of ${mb(msg.size)}…`);
    } else if (msg.event === "end") {
      const blob = new Blob(parts, { type: msg.mime || "application/octet-stream" });
      parts = [];
      forget();
      url = URL.createObjectURL(blob);
      again.href = url;
      again.download = msg.filename;
      again.textContent = "save again";
      const saving = document.createElement("a");
      saving.href = url;
      saving.download = msg.filename;
      saving.style.display = "none";
      el.append(saving);
      saving.click();
      saving.remove();
      el.dataset.savedMs = String(Math.round(performance.now() - clicked));
      say("saved", `⬇ ${msg.filename} (${mb(blob.size)}${msg.note ? ", " + msg.note : ""})`);
      again.style.display = "";
    } else if (msg.event === "error") {
      parts = [];
      say("error", msg.message);
    }
  }

  const onOffers = () => draw();
  model.on("change:offers", onOffers);
  model.on("change:disabled", onOffers);
  model.on("msg:custom", onMessage);
  draw();
  return () => {
    model.off("change:offers", onOffers);
    model.off("change:disabled", onOffers);
    model.off("msg:custom", onMessage);
    forget();
  };
}

export default { render };
