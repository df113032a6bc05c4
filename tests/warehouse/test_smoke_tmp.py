def test_x(project_dir, duck, postgres_url):
    import fakesnow
    from warehouse import load_project, connect
    from warehouse.compare import compare_targets
    from warehouse.testing import create_raw
    p = load_project(project_dir)
    pg = connect("postgres", postgres_url=postgres_url)
    with fakesnow.patch():
        sf = connect("snowflake", snowflake={"database": "db1", "schema": "public"})
        print(compare_targets(p, create_raw, duck, [sf, pg]))
        print(compare_targets(p, create_raw, duck, [sf, pg]))
