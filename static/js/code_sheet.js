/* The printable sheet of participant codes: a button that opens the browser's print dialogue (where the sheet
 * may also be saved as a PDF). Without JavaScript the browser's own Print command does the same. */
(function () {
  "use strict";

  var button = document.getElementById("sheet-print");
  if (!button || typeof window.print !== "function") {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
})();
