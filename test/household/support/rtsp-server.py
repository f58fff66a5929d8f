#!/usr/bin/python3
# A local RTSP server standing in for household IP cameras, built on Debian's GStreamer RTSP
# server (gir1.2-gst-rtsp-server-1.0). Each mount serves a live test pattern in one of the codecs
# cameras send. Prints "ready <port>" once listening; runs until killed.
# Usage: /usr/bin/python3 rtsp-server.py [port]   (port 0 or absent: any free port)
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)

# Small and slow on purpose: tests share two cores with the SFU and ffmpeg.
VIDEO = 'videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=640,height=360,framerate=15/1'
X264 = 'x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 bitrate=600'
# ultrafast turns off CABAC and 8x8 transforms, which makes x264 signal constrained baseline
# whatever profile is asked for; veryfast keeps them, so the stream really is High.
X264_HIGH = 'x264enc tune=zerolatency speed-preset=veryfast key-int-max=30 bitrate=600'
PCMA = 'audiotestsrc is-live=true wave=sine freq=440 ! audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay name=pay1 pt=8'

MOUNTS = {
    '/vp8': f'{VIDEO} ! vp8enc deadline=1 cpu-used=8 target-bitrate=600000 keyframe-max-dist=30 ! rtpvp8pay name=pay0 pt=96',
    '/h264-cb': f'{VIDEO} ! {X264} ! video/x-h264,profile=constrained-baseline ! rtph264pay name=pay0 pt=96',
    '/h264-high': f'{VIDEO} ! {X264_HIGH} ! video/x-h264,profile=high ! rtph264pay name=pay0 pt=96',
    '/hevc': f'{VIDEO} ! x265enc tune=zerolatency speed-preset=ultrafast key-int-max=30 bitrate=600 ! rtph265pay name=pay0 pt=96',
    '/h264-cb-pcma': f'{VIDEO} ! {X264} ! video/x-h264,profile=constrained-baseline ! rtph264pay name=pay0 pt=96 {PCMA}',
}

server = GstRtspServer.RTSPServer()
server.set_address('127.0.0.1')
server.set_service(sys.argv[1] if len(sys.argv) > 1 else '0')
mounts = server.get_mount_points()
for path, launch in MOUNTS.items():
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(f'( {launch} )')
    factory.set_shared(True)
    mounts.add_factory(path, factory)
server.attach(None)
print('ready', server.get_bound_port(), flush=True)
GLib.MainLoop().run()
