#!/bin/sh
exec curl -fsS "http://127.0.0.1:${PORT:-3000}/health" >/dev/null
