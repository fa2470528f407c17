"""Small reusable widgets: the look, headings and notices, the strength meter, busy rows."""
