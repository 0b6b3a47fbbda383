// Registers Gatehouse's service worker and offers a reload when a new version is ready.
(() => {
  if (!("serviceWorker" in navigator)) return;
  let accepted = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (accepted) window.location.reload();
  });
  const offer = (worker) => {
    const banner = document.getElementById("update-banner");
    const button = document.getElementById("update-reload");
    if (!banner || !button) return;
    banner.hidden = false;
    button.addEventListener(
      "click",
      () => {
        accepted = true;
        button.disabled = true;
        worker.postMessage("skip-waiting");
      },
      { once: true }
    );
  };
  const register = () =>
    navigator.serviceWorker
      .register("/sw.js")
      .then((registration) => {
        if (registration.waiting && navigator.serviceWorker.controller) {
          offer(registration.waiting);
        }
        registration.addEventListener("updatefound", () => {
          const worker = registration.installing;
          if (!worker) return;
          worker.addEventListener("statechange", () => {
            if (worker.state === "installed" && navigator.serviceWorker.controller) {
              offer(worker);
            }
          });
        });
      })
      .catch(() => {});
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register);
})();
