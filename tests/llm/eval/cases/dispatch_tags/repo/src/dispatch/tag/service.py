def get(*, db_session, tag_id: int):
    return db_session.get("Tag", tag_id)


def create(*, db_session, tag_in):
    db_session.add(tag_in)
    db_session.commit()
    return tag_in


def update(*, db_session, tag, tag_in):
    tag.name = tag_in.name
    db_session.commit()
    return tag


def delete(*, db_session, tag_id: int):
    db_session.query("Tag").filter_by(id=tag_id).delete()
    db_session.commit()
