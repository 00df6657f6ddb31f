# Public-space projects and city works arrive with their own issue; the app is
# registered now so the layout and URL names are stable from the start.
