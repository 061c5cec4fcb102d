// The front-end of toolkit.widgets.leaving.PageGuard (an anywidget module): what a desk page does when it goes.
//
// While a job runs (the kernel sets `busy`), leaving the page (close, reload, another address) asks first,
// with the browser's own "Leave site?" prompt; an idle page leaves without asking.  In a page served by Voila
// (`served`: page mode), once the page really goes (`pagehide`), its kernel is shut down: a beacon POSTs to Voila's voila/api/shutdown/<kernel> with the page's
// `_xsrf` cookie as the form field jupyter_server checks (the server sets that cookie with the page).
//
// Voila's own widget manager sends that request, and disposes of the page's kernel connection, from its
// `beforeunload` listener (packages/widgets_manager8/src/index.ts), registered before this module loads and so
// run before the person answers the prompt: "Stay on page" would find the kernel gone and the page dead.  So
// in a served page this module takes the shutdown over: Voila's request to this kernel's shutdown address is
// not sent and its connection is kept; the one request goes from `pagehide`, when leaving is sure.
// In a person's own notebook (JupyterLab) it only asks while a job runs, and leaves the kernel alone.

function pageConfig() {
  const node = document.getElementById("jupyter-config-data");
  try {
    return node ? JSON.parse(node.textContent) : {};
  } catch (error) {
    return {};
  }
}

function xsrfToken() {
  const found = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
  return found ? found[1] : "";
}

let installed = false;

function takeOver(model, address) {
  const send = navigator.sendBeacon.bind(navigator);
  navigator.sendBeacon = (url, data) => (String(url).endsWith(address) ? true : send(url, data));
  const kernel = model.widget_manager && model.widget_manager.kernel;
  if (kernel) {
    kernel.dispose = () => undefined;
  }
  return send;
}

function render({ model, el }) {
  el.style.display = "none";
  if (installed) {
    return undefined;
  }
  installed = true;
  const config = pageConfig();
  const kernel = model.get("served") ? config.kernelId || "" : "";
  const address = `voila/api/shutdown/${encodeURIComponent(kernel)}`;
  const send = kernel ? takeOver(model, address) : null;
  let gone = false;
  const ask = (event) => {
    if (model.get("busy")) {
      event.preventDefault();
      event.returnValue = "";
    }
  };
  const leave = () => {
    if (gone || !send) {
      return;
    }
    gone = true;
    const data = new FormData();
    data.append("_xsrf", xsrfToken());
    send(`${config.baseUrl || "/"}${address}`, data);
  };
  window.addEventListener("beforeunload", ask);
  window.addEventListener("pagehide", leave);
  return () => {
    window.removeEventListener("beforeunload", ask);
    window.removeEventListener("pagehide", leave);
    installed = false;
  };
}

export default { render };
