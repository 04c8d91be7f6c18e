"""Typed structured output, sans-IO: strict JSON schemas derived from Pydantic models, dataclasses and TypedDicts
(table-driven, checked against strict mode's rules and by round-tripping a value through the type), the
response-format body, refused shapes, and parsing a final message into the type with each failure kind."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import subprocess
import sys
from typing import Any, Literal, Optional, TypedDict, Union

import pytest
from pydantic import BaseModel, Field
from typing_extensions import NotRequired
from typing_extensions import TypedDict as ExtTypedDict

from azure.ai.inference._core import structured
from azure.ai.inference._core.structured import (
    ContentFilterFinishReasonError,
    ContentParseError,
    LengthFinishReasonError,
    RefusalError,
    StructuredOutputError,
    parse_content,
    parse_message,
    response_format_for,
    strict_json_schema,
)

from ._strict import strict_problems


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Address(BaseModel):
    street: str
    city: str = Field(description="The city")


class Person(BaseModel):
    """A person."""

    name: str
    age: int = 0
    email: Optional[str] = None
    home: Address = Field(description="Where the person lives")
    past: list[Address] = []
    favourite: Color = Color.RED
    level: Level
    kind: Literal["human"]
    mood: Literal["happy", "sad"] = "happy"
    born: datetime.date
    score: float
    tags: set[str] = set()


class Tree(BaseModel):
    """A recursive tree."""

    label: str
    children: list["Tree"] = []
    best: Optional["Tree"] = Field(default=None, description="The best child")


class Cat(BaseModel):
    pet: Literal["cat"]
    meows: bool


class Dog(BaseModel):
    pet: Literal["dog"]
    barks: int


class Owner(BaseModel):
    animal: Union[Cat, Dog] = Field(discriminator="pet")
    other: Union[Cat, Dog, None]


@dataclasses.dataclass
class Point:
    x: float
    y: float
    label: Optional[str] = None


@dataclasses.dataclass
class Route:
    points: list[Point]
    closed: bool = False


class Movie(ExtTypedDict):
    title: str
    year: int
    rating: Optional[float]


class Review(ExtTypedDict):
    movie: Movie
    stars: Literal[1, 2, 3, 4, 5]
    note: NotRequired[str]


class PlainMovie(TypedDict):
    title: str


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="Pydantic reads typing.TypedDict from Python 3.12")
def test_a_typing_typed_dict_before_python_3_12_is_a_type_error_naming_typing_extensions():
    with pytest.raises(TypeError, match="typing_extensions"):
        strict_json_schema(PlainMovie)


class WithAny(BaseModel):
    value: Any


class WithDict(BaseModel):
    counts: dict[str, int]


class WithTuple(BaseModel):
    pair: tuple[int, str]


class Empty(BaseModel):
    pass


# type, a valid value (as JSON), the property names of the root
SHAPES: list[tuple[type, dict[str, Any], list[str]]] = [
    (
        Person,
        {
            "name": "Ada",
            "age": 36,
            "email": None,
            "home": {"street": "1 Main St", "city": "London"},
            "past": [],
            "favourite": "blue",
            "level": 2,
            "kind": "human",
            "mood": "sad",
            "born": "1815-12-10",
            "score": 9.5,
            "tags": ["maths"],
        },
        ["name", "age", "email", "home", "past", "favourite", "level", "kind", "mood", "born", "score", "tags"],
    ),
    (
        Tree,
        {"label": "root", "children": [{"label": "a", "children": [], "best": None}], "best": None},
        ["label", "children", "best"],
    ),
    (
        Owner,
        {"animal": {"pet": "dog", "barks": 3}, "other": {"pet": "cat", "meows": True}},
        ["animal", "other"],
    ),
    (Point, {"x": 1.0, "y": 2.0, "label": None}, ["x", "y", "label"]),
    (Route, {"points": [{"x": 0, "y": 0, "label": "a"}], "closed": True}, ["points", "closed"]),
    (Movie, {"title": "Up", "year": 2009, "rating": None}, ["title", "year", "rating"]),
    (Review, {"movie": {"title": "Up", "year": 2009, "rating": 8.2}, "stars": 5, "note": "fine"}, ["movie", "stars", "note"]),
    (Empty, {}, []),
]


@pytest.mark.parametrize("tp, value, names", SHAPES, ids=[s[0].__name__ for s in SHAPES])
def test_the_schema_follows_strict_mode_and_the_type_reads_a_value(tp, value, names):
    schema = strict_json_schema(tp)
    assert strict_problems(schema) == []
    assert list(schema["properties"]) == names
    assert schema["required"] == names
    json.dumps(schema)  # plain JSON
    parsed = parse_content(tp, json.dumps(value))
    assert parsed is not None


def test_optional_fields_are_nullable_and_required():
    props = strict_json_schema(Person)["properties"]
    assert props["email"] == {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert "email" in strict_json_schema(Person)["required"]
    assert strict_json_schema(Point)["properties"]["label"]["anyOf"][1] == {"type": "null"}


def test_enums_and_literals_become_enums():
    schema = strict_json_schema(Person)
    assert schema["properties"]["kind"] == {"type": "string", "enum": ["human"]}
    assert schema["properties"]["mood"]["enum"] == ["happy", "sad"]
    assert schema["$defs"]["Color"] == {"enum": ["red", "blue"], "type": "string"}
    assert schema["$defs"]["Level"]["enum"] == [1, 2]
    assert strict_json_schema(Review)["properties"]["stars"]["enum"] == [1, 2, 3, 4, 5]


def test_a_described_reference_is_inlined_with_its_description():
    home = strict_json_schema(Person)["properties"]["home"]
    assert home["description"] == "Where the person lives"
    assert home["type"] == "object" and home["required"] == ["street", "city"]
    assert home["properties"]["city"] == {"description": "The city", "type": "string"}


def test_recursion_stays_a_reference_into_defs():
    schema = strict_json_schema(Tree)
    assert schema["description"] == "A recursive tree."
    assert schema["properties"]["children"]["items"] == {"$ref": "#/$defs/Tree"}
    assert schema["properties"]["best"]["anyOf"][0] == {"$ref": "#/$defs/Tree"}
    assert "$ref" not in schema  # the root is the object itself, not a reference
    assert strict_problems(schema["$defs"]["Tree"] | {"$defs": schema["$defs"]}) == []


def test_discriminated_unions_become_any_of():
    animal = strict_json_schema(Owner)["properties"]["animal"]
    assert [option["$ref"] for option in animal["anyOf"]] == ["#/$defs/Cat", "#/$defs/Dog"]
    assert "discriminator" not in animal


@pytest.mark.parametrize(
    "tp, words",
    [
        (WithAny, "any type"),
        (WithDict, "free-form keys"),
        (WithTuple, "tuple"),
    ],
)
def test_shapes_strict_mode_cannot_express_are_a_type_error_naming_the_place(tp, words):
    with pytest.raises(TypeError, match=words) as info:
        strict_json_schema(tp)
    assert tp.__name__ in str(info.value)


@pytest.mark.parametrize("value", [int, str, list, dict, "Person", Person(name="x", level=1, kind="human",
    born=datetime.date(2000, 1, 1), score=1, home=Address(street="s", city="c"))])
def test_anything_but_a_model_dataclass_or_typed_dict_is_a_type_error(value):
    with pytest.raises(TypeError, match="not a Pydantic model class, a dataclass or a TypedDict"):
        strict_json_schema(value)


def test_the_response_format_body():
    body = response_format_for(Person)
    assert body["type"] == "json_schema"
    spec = body["json_schema"]
    assert spec["name"] == "Person" and spec["strict"] is True and spec["description"] == "A person."
    assert spec["schema"] == strict_json_schema(Person)
    assert response_format_for(Point, name="pt")["json_schema"]["name"] == "pt"
    assert "description" not in response_format_for(Point)["json_schema"]


def test_without_pydantic_the_error_names_the_extra():
    code = (
        "import sys, dataclasses; sys.modules['pydantic'] = None\n"
        "from azure.ai.inference._core.structured import strict_json_schema\n"
        "@dataclasses.dataclass\nclass P:\n    x: int\n"
        "try:\n    strict_json_schema(P)\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert 'pip install "azure-ai-inference[structured]"' in out


# ------------------------------------------------------------------------------------------------------ parsing


def test_parse_success_gives_instances_and_typed_dicts_give_dicts():
    person = parse_message(Person, {"content": json.dumps(SHAPES[0][1])}, "stop")
    assert isinstance(person, Person) and person.home.city == "London" and person.favourite is Color.BLUE
    point = parse_content(Point, '{"x": 1, "y": 2, "label": null}')
    assert point == Point(1.0, 2.0, None)
    movie = parse_content(Movie, '{"title": "Up", "year": 2009, "rating": 8.2}')
    assert movie == {"title": "Up", "year": 2009, "rating": 8.2} and type(movie) is dict


@pytest.mark.parametrize(
    "content, first_loc",
    [
        ('{"x": 1}', ["y"]),
        ('{"x": "far", "y": 2, "label": null}', ["x"]),
        ("not json", []),
        ('{"x": 1, "y": 2', []),
    ],
)
def test_invalid_content_is_a_parse_error_with_the_content_and_errors(content, first_loc):
    with pytest.raises(ContentParseError) as info:
        parse_message(Point, {"role": "assistant", "content": content}, "stop")
    error = info.value
    assert isinstance(error, ValueError) and isinstance(error, StructuredOutputError)
    assert error.content == content and error.reason == "invalid"
    assert error.errors and error.errors[0]["loc"][: len(first_loc)] == first_loc
    assert all(set(e) == {"loc", "msg", "type"} for e in error.errors)


def test_no_content_is_a_parse_error():
    with pytest.raises(ContentParseError) as info:
        parse_message(Point, {"role": "assistant", "content": None}, "stop")
    assert info.value.content is None and info.value.errors == []


@pytest.mark.parametrize(
    "message, finish_reason, error_type, reason",
    [
        ({"content": None, "refusal": "I cannot help with that."}, "stop", RefusalError, "refusal"),
        ({"content": '{"x": 1, "y"'}, "length", LengthFinishReasonError, "length"),
        ({"content": '{"x": 1, "y": 2, "label": null}'}, "content_filter", ContentFilterFinishReasonError,
         "content_filter"),
    ],
)
def test_refusal_length_and_content_filter_are_reported_as_such(message, finish_reason, error_type, reason):
    with pytest.raises(error_type) as info:
        parse_message(Point, message, finish_reason)
    assert not isinstance(info.value, ContentParseError)
    assert isinstance(info.value, ValueError) and info.value.reason == reason
    assert info.value.content == message["content"]
    if error_type is RefusalError:
        assert info.value.refusal == "I cannot help with that." and "refused" in str(info.value)


def test_a_message_with_tool_calls_and_no_content_parses_to_none():
    calls = [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]
    assert parse_message(Point, {"content": None, "tool_calls": calls}, "tool_calls") is None


def test_one_adapter_per_type():
    assert structured.type_adapter(Point) is structured.type_adapter(Point)
