-- One row per downtime event of both sources: OEE line stops (source 'oee', line_id) and Makini
-- EAM asset downtime (source 'makini', connection_id + asset_key). Open events (no end yet)
-- end at the latest extraction time of their source; is_open keeps the fact.
with

oee_events as (
    select * from staging.oee_downtime_events
),

reason_codes as (
    select * from staging.oee_reason_codes
),

oee_extraction as (
    -- Lines are re-read on every run: their newest stamp is the time of the latest extraction.
    select max(_extracted_at) as extracted_at from staging.oee_lines
),

makini_events as (
    select * from staging.asset_downtime
),

makini_extraction as (
    select
        connection_id,
        max(_extracted_at) as extracted_at
    from staging.asset_downtime
    group by connection_id
),

category_rules as (
    select * from seeds.downtime_category_map
),

category_names as (
    select distinct category_name from makini_events
),

category_matches as (
    -- Makini's categoryName is free text: the rule with the lowest precedence whose keyword it
    -- contains decides ('unplanned' also contains 'plan', so breakdown rules come first)
    select
        category_names.category_name,
        category_rules.category,
        row_number() over (
            partition by category_names.category_name
            order by category_rules.precedence, category_rules.keyword
        ) as match_rank
    from category_names
    inner join category_rules
        on lower(category_names.category_name) like '%' || category_rules.keyword || '%'
),

makini_categories as (
    select
        category_name,
        category
    from category_matches
    where match_rank = 1
),

oee as (
    select
        oee_events.event_id,
        'oee' as source,
        oee_events.line_id,
        cast(null as varchar) as connection_id,
        cast(null as varchar) as asset_key,
        oee_events.started_at,
        coalesce(oee_events.ended_at, oee_extraction.extracted_at) as ended_at,
        oee_events.ended_at is null as is_open,
        oee_events.reason_code,
        reason_codes.description as reason_description,
        -- an unknown or missing reason is an unplanned stop: it must not vanish from downtime
        coalesce(reason_codes.category, 'unplanned_other') as category,
        oee_events.comment,
        oee_events.updated_at,
        oee_events._extracted_at as _loaded_at
    from oee_events
    cross join oee_extraction
    left join reason_codes
        on reason_codes.reason_code = oee_events.reason_code
),

makini as (
    select
        {{ surrogate_key('makini_events.connection_id', 'makini_events.downtime_key') }} as event_id,
        'makini' as source,
        cast(null as varchar) as line_id,
        makini_events.connection_id,
        makini_events.asset_key,
        makini_events.started_at,
        coalesce(makini_events.ended_at, makini_extraction.extracted_at) as ended_at,
        makini_events.ended_at is null as is_open,
        makini_events.category_name as reason_code,
        makini_events.description as reason_description,
        -- a category no rule matches is an unplanned stop: it must not vanish from downtime
        coalesce(makini_categories.category, 'unplanned_other') as category,
        makini_events.notes as comment,
        makini_events.updated_at,
        makini_events._extracted_at as _loaded_at
    from makini_events
    left join makini_extraction
        on makini_extraction.connection_id = makini_events.connection_id
    left join makini_categories
        on makini_categories.category_name = makini_events.category_name
),

unioned as (
    select * from oee
    union all
    select * from makini
),

final as (
    select
        *,
        date_diff('second', started_at, ended_at) as duration_s
    from unioned
)

select * from final
