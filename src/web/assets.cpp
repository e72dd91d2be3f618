// The web queue's script and style sheet; see assets.hpp. The script only enhances: every page works
// without it (select-all for bulk decisions, and one submission per click).
#include "assets.hpp"

namespace preflight::web::assets {

const std::string_view kAppJs = R"JS('use strict';
document.addEventListener('DOMContentLoaded', () => {
  const all = document.getElementById('pick-all');
  if (all) all.addEventListener('change', () => {
    for (const box of document.querySelectorAll('input.pick')) box.checked = all.checked;
  });
  for (const form of document.querySelectorAll('form[method="post"]')) {
    form.addEventListener('submit', () => {
      // A second click while the first request is under way would only earn an "already decided" page.
      setTimeout(() => { for (const b of form.querySelectorAll('button')) b.disabled = true; }, 0);
    });
  }
});
)JS";

const std::string_view kAppCss = R"CSS(
body{font-family:system-ui,"Hiragino Sans","Noto Sans CJK JP",sans-serif;margin:0;color:#1d2330;background:#f6f7f9;line-height:1.5}
header{background:#24364f;color:#fff;padding:.5em 1em}header a,header strong{color:#fff;margin-right:1em}
.who{float:right}.inline{display:inline}main{padding:1em 1.5em;max-width:78em}
h1{font-size:1.4em;overflow-wrap:anywhere}h2{font-size:1.1em;margin-top:1.5em;border-bottom:1px solid #ccd}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #dde;padding:.3em .5em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#eef1f6}.filters label{margin-right:.8em;display:inline-block}.filters{margin-bottom:1em}
.state{padding:0 .4em;border-radius:3px;background:#dde}.state-held{background:#ffe7a8}.state-approved,.state-released{background:#c9f0cf}
.state-rejected,.state-returned,.state-expired,.state-failed{background:#f6c9c9}.reason{background:#e8eefc;padding:0 .3em;margin-right:.2em;border-radius:3px}
.mark{font-size:.85em;padding:0 .35em;border-radius:3px;background:#e3e6ea}.mark.ext{background:#ffe1b3}.mark.int{background:#d6f0da}
.mark.warn{background:#ffd28a}.mark.danger{background:#e74c3c;color:#fff}.dname{font-weight:600}
dl.meta,dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dd{margin:0;overflow-wrap:anywhere}
pre.body{white-space:pre-wrap;background:#fff;border:1px solid #dde;padding:.8em;max-height:30em;overflow:auto}
form.decide textarea{display:block;width:100%;min-height:4em;margin:.3em 0}button{padding:.35em 1em;margin:.2em}
#approve{background:#2e7d32;color:#fff}#approve-bcc{background:#1565c0;color:#fff}#reject,#bulk-reject{background:#c62828;color:#fff}
.error{color:#b00020;font-weight:600}.ok{color:#1b5e20;font-weight:600}.login{display:grid;gap:.6em;max-width:20em}
input[type=number]{width:5em}.figures{display:flex;gap:2em;list-style:none;padding:0}.chart{max-width:100%;height:auto;background:#fff}
)CSS";

}  // namespace preflight::web::assets
