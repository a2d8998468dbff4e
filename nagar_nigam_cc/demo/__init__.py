"""The demo city: a Prayagraj-shaped map, org chart and people, and a month of complaints to show.

`city` holds the data (plain tuples, no Django), `loader` builds it in the database through the same
`do_*` actions the desk uses. The `load_demo_city` and `synth_complaints` commands call into it.
"""
