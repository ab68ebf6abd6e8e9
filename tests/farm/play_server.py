#!/usr/bin/env python3
"""Serves one video to a headless browser and records how its playback went.

Usage: play_server.py DIR VIDEO RESULT

Serves DIR on a free port of 127.0.0.1 (written to RESULT.port), with a page
at / that plays DIR/VIDEO muted from start to end. The page holds an image
that loads only once playback has ended (or failed), so a browser's
--dump-dom, which waits for the page's load event, returns only then. The
page's report goes to RESULT as one line:
  "ended DURATION WxH decoded=N dropped=M"   or   "error ..." / "timeout ..."
The server stops once it has the report, or after 45 seconds.
"""
import http.server
import sys
import threading
import urllib.parse

root, video, result_path = sys.argv[1:4]
done = threading.Event()
report = []

PAGE = """<!doctype html><title>play</title>
<video id="v" muted autoplay src="/%s"></video>
<img src="/wait">
<script>
const v = document.getElementById('v');
const send = (s) => fetch('/report?' + encodeURIComponent(s));
v.onerror = () => send('error ' + (v.error ? v.error.code + ' ' + v.error.message : '?'));
v.onended = () => {
  const q = v.getVideoPlaybackQuality();
  send('ended ' + v.duration.toFixed(3) + ' ' + v.videoWidth + 'x' + v.videoHeight +
       ' decoded=' + q.totalVideoFrames + ' dropped=' + q.droppedVideoFrames);
};
v.play().catch((e) => send('play refused: ' + e.name));
setTimeout(() => send('timeout at ' + v.currentTime + ' s'), 30000);
</script>
"""


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root, **kwargs)

    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/":
            body = (PAGE % urllib.parse.quote(video)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif url.path == "/wait":
            done.wait(40)
            self.send_response(404)
            self.end_headers()
        elif url.path == "/report":
            if not report:
                report.append(urllib.parse.unquote(url.query))
            done.set()
            self.send_response(204)
            self.end_headers()
        else:
            super().do_GET()


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(result_path + ".port", "w") as f:
    f.write(str(server.server_address[1]))
threading.Thread(target=server.serve_forever, daemon=True).start()
done.wait(45)
with open(result_path, "w") as f:
    f.write(report[0] if report else "no report from the page")
