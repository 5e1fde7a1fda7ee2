# Vendor default, overridden by /etc/upkeep/apps/app.app.
[App]
Description=Vendor app (vendor default)
Source=https://vendor.example.com/app/
Exec=bin/app --vendor
