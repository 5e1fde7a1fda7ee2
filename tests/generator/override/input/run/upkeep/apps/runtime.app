# /run wins over /usr/lib.
[App]
Description=Runtime app (runtime copy)
Source=https://vendor.example.com/runtime/
Exec=bin/runtime --runtime
