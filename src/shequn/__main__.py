from shequn.cli import app

app(prog_name="shequn")
