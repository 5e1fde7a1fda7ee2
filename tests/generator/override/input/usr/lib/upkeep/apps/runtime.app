[App]
Description=Runtime app (vendor default)
Source=https://vendor.example.com/runtime/
Exec=bin/runtime --vendor
