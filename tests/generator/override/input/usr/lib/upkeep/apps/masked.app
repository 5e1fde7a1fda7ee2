# Only the vendor provides this one.
[App]
Source=https://vendor.example.com/vendor/
Exec=vendor
