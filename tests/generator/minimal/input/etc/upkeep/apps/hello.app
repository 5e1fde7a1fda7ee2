# Only what is required: any time is the window, 1h the jitter.
[App]
Source=https://releases.example.com/hello/
Exec=hello
