#!/bin/bash
# Placeholder web app (deployed with -c webPlaceholder=true): the stack shape without a Next.js build.
exec node server.mjs
