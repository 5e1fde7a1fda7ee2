# The operator's copy wins over the vendor's whole file.
[App]
Description=Vendor app (local copy)
Source=https://mirror.example.org/app/
Exec=bin/app --local

[Update]
Window=03
