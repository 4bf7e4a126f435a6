// Links to an annotation on the preamble or the closing formula used to end on this page
// (/treaties/<slug>/#annotation-N), which has no annotations: send them to the annotation's own
// permalink, which redirects to the page and version it was written on.
const match = /^#annotation-(\d+)$/.exec(window.location.hash);
if (match && !document.getElementById(`annotation-${match[1]}`)) {
  window.location.replace(`/annotations/${match[1]}/`);
}
