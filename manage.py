#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""
from nagar_nigam_cc.__main__ import main

if __name__ == "__main__":
    main()
