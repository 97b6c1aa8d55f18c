"""Video tools shared by the desk, the edge box and the tests: ffmpeg clips, local RTSP/HTTP sources, remuxing."""
