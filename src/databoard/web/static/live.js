// databoard live (serve --debug only): the page reloads itself when the site changes, so
// saving a dashboard or data file shows its problems, or once they are fixed the redrawn
// dashboard, with no manual step. The server holds each request until its change token
// differs from the one this page was made with; a server that restarts is asked again.
"use strict";

const databoardLive = {
  retry: 500, // milliseconds between tries while the server does not answer

  async follow(url, token) {
    for (;;) {
      try {
        const response = await fetch(`${url}?token=${encodeURIComponent(token)}`, {
          cache: "no-store",
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const answer = await response.json();
        if (answer.token !== token) {
          location.reload();
          return;
        }
      } catch {
        await new Promise((resolve) => setTimeout(resolve, this.retry));
      }
    }
  },
};

{
  const script = document.currentScript;
  databoardLive.follow(script.dataset.url, script.dataset.token);
}
