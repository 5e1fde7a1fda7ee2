[App]
Source=https://releases.example.com/x/
Exec=x
